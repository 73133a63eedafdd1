"""Email as a channel, end to end, with every part real: the agent's question leaves through a
Celery worker to an SMTP server, the requester's Gmail reply lands in a Dovecot mailbox, the
worker reads it (the task beat runs), and Chromium shows the answer on the ticket's page.

Processes: this test (web app on a live server, Chromium), `celery -A helpdesk worker` on the
test's PostgreSQL database and its own Redis database, the SMTP sink (bench/smtp_sink.py) and
Dovecot (tests/mailgateway/dovecot.py).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mailgateway import tasks
from mailgateway.models import InboundMessage, Mailbox
from tests.browser.helpers import check_accessibility, log_in
from tests.conftest import require_service
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tests.mailgateway.conftest import PASSWORD_ENV, gmail_reply, message
from tests.notifications.test_delivery import (
    SmtpServer,
    _reset_connections,
    agent_does,
    database_url,
    file_ticket_through_the_web,
    logged_in,
    text_of,
)
from tests.support import free_port, wait_until
from tickets.models import Ticket

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery,
    pytest.mark.smtp,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

BASE_DIR = Path(__file__).resolve().parents[2]
SINK = BASE_DIR / "bench" / "smtp_sink.py"
REDIS_DB = 11
REPLY_ADDRESS = "helpdesk@univ.example"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path_factory.mktemp("sent"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def broker_url(redis_url: str) -> str:
    parts = urlsplit(redis_url)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


@pytest.fixture(scope="module")
def task_queue(broker_url: str) -> str:
    from kombu import Connection

    name = f"mailgateway-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with Connection(broker_url) as connection, contextlib.suppress(Exception):
        connection.default_channel.queue_purge(name)
    return name


@pytest.fixture(scope="module")
def worker(
    django_db_setup,
    broker_url,
    task_queue,
    smtp_server,
    dovecot_server,
    live_server,
    tmp_path_factory,
):
    """`celery -A helpdesk worker` sending through the SMTP sink and reading Dovecot."""
    from django.db import connection

    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk",
    )
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.mailgateway.worker_settings",
        "MAILGATEWAY_TEST_QUEUE": task_queue,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_TIMEOUT": "5",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",
        "SITE_URL": live_server.url,
        "INBOUND_REPLY_ADDRESS": REPLY_ADDRESS,
        PASSWORD_ENV: dovecot_server.password,
    }
    celery = Path(sys.executable).with_name("celery")
    with open(log, "w") as output:
        process = subprocess.Popen(
            [
                *(str(celery), "-A", "helpdesk", "worker", "-P", "solo", "--loglevel=INFO"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                f"--queues={task_queue}",
                f"--hostname={task_queue}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        ready = wait_until(lambda: "ready." in log.read_text(), timeout=60)
        assert ready and process.poll() is None, f"the worker did not start:\n{log.read_text()}"
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def publish_to_worker(settings, broker_url, task_queue, worker, smtp_server, live_server):
    from helpdesk.celery import app

    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.SITE_URL = live_server.url
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=broker_url, task_always_eager=False, task_default_queue=task_queue)
    _reset_connections(app)
    smtp_server.clear()
    yield
    app.conf.update(saved)
    _reset_connections(app)


@pytest.fixture
def desk(db, dovecot_server):
    """A French requester, an English agent, and the service's mailbox in Dovecot."""
    service = ServiceFactory(name="Informatique")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    requester = UserFactory(email="camille@univ.example", full_name="Camille Martin")
    agent = agent_of(
        service,
        user=UserFactory(
            email="alex@univ.example", full_name="Alex Agent", preferred_language="en"
        ),
    )
    mailbox = Mailbox.objects.create(
        service=service,
        name="Support",
        host="127.0.0.1",
        port=dovecot_server.port,
        security=Mailbox.Security.NONE,
        username=dovecot_server.user,
        password_env=PASSWORD_ENV,
        folder=dovecot_server.new_folder(),
        category=category,
        unknown_sender_policy=Mailbox.UnknownSenderPolicy.CREATE_ACCOUNT,
    )
    return requester, agent, category, mailbox


def poll_as_beat_does() -> None:
    tasks.poll_mailboxes.delay()


def test_a_gmail_reply_to_a_question_shows_on_the_ticket_page(
    publish_to_worker, desk, smtp_server, dovecot_server, live_server, page
):
    requester, agent, category, mailbox = desk
    ticket = file_ticket_through_the_web(logged_in(requester), category, "Messagerie bloquée")
    agent_client = logged_in(agent)
    agent_does(agent_client, ticket, "take")
    agent_does(agent_client, ticket, "request_info", {"request_info-question": "Quel navigateur ?"})

    def question_sent():
        for sent in smtp_server.messages():
            if sent["X-Envelope-To"] == requester.email and "Quel navigateur" in text_of(sent):
                return sent
        return None

    question = wait_until(question_sent, timeout=60)
    assert question, [m["Subject"] for m in smtp_server.messages()]
    reply_to = parseaddr(question["Reply-To"] or "")[1]
    assert reply_to.startswith("helpdesk+") and reply_to.endswith("@univ.example")

    dovecot_server.append(
        mailbox.folder,
        gmail_reply(
            sender="Camille Martin <camille@univ.example>",
            to=reply_to,
            subject="Re: " + question["Subject"],
            text="Firefox 140 sous Debian.",
            quoted=text_of(question),
            in_reply_to=question["Message-ID"],
        ),
    )
    poll_as_beat_does()

    def answered() -> bool:
        ticket.refresh_from_db()
        return ticket.status == Ticket.Status.IN_PROGRESS

    assert wait_until(answered, timeout=60), list(
        InboundMessage.objects.values_list("status", "outcome")
    )
    inbound = InboundMessage.objects.get()
    assert inbound.status == InboundMessage.Status.PROCESSED and inbound.ticket_id == ticket.pk

    context = page.context
    context.clear_cookies()
    page.set_extra_http_headers({"Accept-Language": "en"})
    path = reverse("desk:detail", kwargs={"pk": ticket.pk})
    log_in(page, live_server.url, agent.email, path)
    expect(page.get_by_text("Firefox 140 sous Debian.")).to_be_visible()
    expect(page.get_by_text("Quel navigateur")).to_be_visible()
    assert "Le mer. 2 déc." not in page.content()
    check_accessibility(page, "agent ticket page after an email reply")


def test_a_message_to_the_mailbox_becomes_a_ticket_by_email_with_its_files(
    publish_to_worker, desk, smtp_server, dovecot_server
):
    requester, agent, category, mailbox = desk
    dovecot_server.append(
        mailbox.folder,
        message(
            sender="Dominique Petit <dominique@univ.example>",
            to="support@univ.example",
            subject="Imprimante du 2e étage",
            text="Elle affiche une erreur 49.",
            attachments=[("erreur.png", "image/png", PNG)],
        ),
    )
    poll_as_beat_does()

    ticket = wait_until(lambda: Ticket.objects.filter(subject="Imprimante du 2e étage").first(), 60)
    assert ticket, list(InboundMessage.objects.values_list("status", "outcome"))
    assert ticket.origin == Ticket.Origin.EMAIL
    assert ticket.requester.email == "dominique@univ.example"
    assert ticket.category == category
    assert [a.original_name for a in ticket.attachments.all()] == ["erreur.png"]

    def receipt():
        for sent in smtp_server.messages():
            if sent["X-Envelope-To"] == "dominique@univ.example":
                return sent
        return None

    sent = wait_until(receipt, timeout=60)
    assert sent, [m["Subject"] for m in smtp_server.messages()]
    assert f"/tickets/{ticket.pk}/" in text_of(sent)
