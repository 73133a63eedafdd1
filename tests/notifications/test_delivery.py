"""Real delivery: moves made through the web reach a real SMTP server through a real Celery worker.

Three processes: this test (the web app, through Django's test client and a live server), a
Celery worker started with `celery -A helpdesk worker`, and an SMTP server (aiosmtpd) that writes
each message it accepts to a folder. The worker reads the outbox in the same PostgreSQL database
as the test, so the tests commit their writes (`transaction=True`), and tasks travel through Redis
(database 5).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from notifications import services, tasks
from notifications.models import Notification
from tests.conftest import require_service
from tests.factories import CategoryFactory, ServiceFactory, UserFactory, agent_of
from tests.support import free_port, wait_until
from tickets.models import Ticket

pytestmark = [
    pytest.mark.celery,
    pytest.mark.smtp,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

BASE_DIR = Path(__file__).resolve().parents[2]
SINK = BASE_DIR / "bench" / "smtp_sink.py"
REDIS_DB = 5


class SmtpServer:
    """An aiosmtpd process on a fixed port; stopping and starting it again keeps the port."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SINK), "--port", str(self.port), "--folder", str(self.folder)],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline()
        assert line.strip() == "ready", f"the SMTP server did not start: {line!r}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        # Nothing answers on the port any more: deliveries fail with "connection refused".
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", self.port)) != 0

    def clear(self) -> None:
        for path in self.folder.glob("*.eml"):
            path.unlink()

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        wait_until(lambda: len(list(self.folder.glob("*.eml"))) >= count, timeout)
        return self.messages()


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path_factory.mktemp("mailbox"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def broker_url(redis_url: str) -> str:
    """Our own Redis database."""
    parts = urlsplit(redis_url)
    return urlunsplit(parts._replace(path=f"/{REDIS_DB}"))


@pytest.fixture(scope="module")
def task_queue(broker_url: str) -> str:
    """A queue of our own, emptied of tasks an earlier run left: test runs in parallel (xdist)
    each start a worker, and each worker must take only its own run's tasks."""
    from kombu import Connection

    name = f"notifications-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with Connection(broker_url) as connection, contextlib.suppress(Exception):
        connection.default_channel.queue_purge(name)  # fails only if there is nothing to purge
    return name


def database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="module")
def worker(django_db_setup, broker_url, task_queue, smtp_server, live_server, tmp_path_factory):
    """`celery -A helpdesk worker` on the test's database, our Redis database and SMTP server."""
    from django.db import connection

    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk",
    )
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_TIMEOUT": "5",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DATABASE_CONN_MAX_AGE": "0",
        "SITE_URL": live_server.url,
    }
    celery = Path(sys.executable).with_name("celery")
    with open(log, "w") as output:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "helpdesk",
                "worker",
                "-P",
                "solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
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


def _reset_connections(app) -> None:
    """Forgets the app's broker connections, queues and routes (cached on first use) so the next
    task goes where the configuration now says (kombu keeps one pool per broker URL)."""
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def publish_to_worker(settings, broker_url, task_queue, worker, smtp_server):
    """This process queues tasks on Redis for the worker instead of running them itself."""
    from helpdesk.celery import app

    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=broker_url, task_always_eager=False, task_default_queue=task_queue)
    _reset_connections(app)
    smtp_server.clear()
    yield
    app.conf.update(saved)
    _reset_connections(app)


@pytest.fixture
def people(db):
    """A French requester and an English agent of the service."""
    service = ServiceFactory(name="Informatique")
    category = CategoryFactory(name="Messagerie", slug="messagerie", service=service)
    requester = UserFactory(
        email="camille@univ.example", full_name="Camille Martin", preferred_language="fr"
    )
    agent = agent_of(
        service,
        user=UserFactory(
            email="alex@univ.example", full_name="Alex Agent", preferred_language="en"
        ),
    )
    return requester, agent, category


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file_ticket_through_the_web(client, category, subject: str) -> Ticket:
    response = client.post(
        reverse("tickets:create"),
        {"category": category.slug, "subject": subject, "description": "Plus de courriels."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Ticket.objects.get(subject=subject)


def agent_does(client, ticket: Ticket, action: str, data: dict | None = None) -> None:
    response = client.post(
        reverse("desk:action", kwargs={"pk": ticket.pk, "action": action}), data or {}
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def by_recipient(messages: list[EmailMessage]) -> dict[str, list[EmailMessage]]:
    result: dict[str, list[EmailMessage]] = {}
    for message in messages:
        result.setdefault(message["X-Envelope-To"], []).append(message)
    return result


def subject_of(message: EmailMessage) -> str:
    # A long encoded subject is folded after "Subject:"; readers drop the leading space.
    return message["Subject"].strip()


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def first_line(message: EmailMessage) -> str:
    """What happened: the first line of the text part."""
    return text_of(message).splitlines()[0]


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def assert_delivered_once(smtp_server: SmtpServer, timeout: float = 60) -> list[EmailMessage]:
    """Every outbox row arrives, each exactly once (checked by Message-ID)."""
    expected = Notification.objects.count()
    messages = smtp_server.wait_for(expected, timeout=timeout)
    # Give a duplicate the time to show up, should the worker send one.
    time.sleep(2)
    messages = smtp_server.messages()
    ids = [m["Message-ID"] for m in messages]
    assert len(ids) == len(set(ids)), f"duplicates: {ids}"
    assert sorted(ids) == sorted(Notification.objects.values_list("message_id", flat=True))
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    return messages


def test_moves_on_the_web_reach_the_mailbox(publish_to_worker, people, smtp_server, live_server):
    """Filing a ticket, taking it, asking a question and answering it, all through the web:
    each person gets their email, in their language, threaded, with links to the ticket."""
    requester, agent, category = people
    requester_client = logged_in(requester)
    agent_client = logged_in(agent)

    ticket = file_ticket_through_the_web(requester_client, category, "Messagerie bloquée")
    agent_does(agent_client, ticket, "take")
    agent_does(agent_client, ticket, "request_info", {"request_info-question": "Which browser?"})
    response = requester_client.post(
        reverse("tickets:comment", kwargs={"pk": ticket.pk}), {"comment-text": "Firefox 140"}
    )
    assert response.status_code == 302

    messages = by_recipient(assert_delivered_once(smtp_server))
    site = urlsplit(live_server.url)
    subject = f"[Helpdesk #{ticket.pk}] Messagerie bloquée"
    assert {subject_of(m) for m in [*messages[requester.email], *messages[agent.email]]} == {
        subject
    }
    assert sorted(first_line(m) for m in messages[requester.email]) == [
        "Information demandée : Messagerie bloquée",
        "Pris en charge : Messagerie bloquée",
        "Ticket reçu : Messagerie bloquée",
    ]
    assert sorted(first_line(m) for m in messages[agent.email]) == [
        "Answer received: Messagerie bloquée",
        "New ticket: Messagerie bloquée",
    ]
    assert set(messages) == {requester.email, agent.email}

    for person in (requester, agent):
        # The email that opened the ticket for them is the root the others reply to.
        root = f"<ticket-{ticket.pk}.u{person.pk}@{site.hostname}>"
        opening, *later = sorted(messages[person.email], key=lambda m: m["Message-ID"] != root)
        assert opening["Message-ID"] == root and opening["In-Reply-To"] is None
        assert len(later) == len(messages[person.email]) - 1
        for message in later:
            assert message["To"] == person.email
            assert re.fullmatch(
                rf"<notification-\d+\.ticket-{ticket.pk}@{site.hostname}>", message["Message-ID"]
            )
            assert message["In-Reply-To"] == root
            assert message["References"] == root
            assert message.get_body(preferencelist=("html",)) is not None

    question = next(m for m in messages[requester.email] if "Information" in first_line(m))
    body = text_of(question)
    assert "Which browser?" in body
    assert "Bonjour Camille Martin" in body
    link = f"{live_server.url}/tickets/{ticket.pk}/"
    assert link in body
    assert f'href="{link}"' in html_of(question)
    answer = next(m for m in messages[agent.email] if "Answer" in first_line(m))
    assert "Firefox 140" in text_of(answer)
    assert "Hello Alex Agent" in text_of(answer)

    # The link opens the ticket: the requester's page, and the desk's page for the agent.
    path = urlsplit(link).path
    page = requester_client.get(path)
    assert page.status_code == 200
    assert "Messagerie bloquée" in page.content.decode()
    assert agent_client.get(path)["Location"] == reverse("desk:detail", kwargs={"pk": ticket.pk})


def test_mail_server_down_then_back_delivers_each_email_once(
    publish_to_worker, people, smtp_server
):
    """The SMTP server is down while tickets move; when it is back, every email arrives once."""
    requester, agent, category = people
    requester_client = logged_in(requester)
    agent_client = logged_in(agent)
    smtp_server.stop()
    try:
        first = file_ticket_through_the_web(requester_client, category, "Wi-Fi coupé")
        second = file_ticket_through_the_web(requester_client, category, "Imprimante")
        agent_does(agent_client, first, "take")
        agent_does(agent_client, first, "request_info", {"request_info-question": "Where?"})
        assert Notification.objects.count() == 6
        # The worker tried and was refused: the rows wait for their retry.
        failed_once = wait_until(
            lambda: Notification.objects.filter(attempts__gte=1, status="pending").count() == 6,
            timeout=30,
        )
        assert failed_once, list(Notification.objects.values("status", "attempts", "last_error"))
        assert "Connection" in Notification.objects.first().last_error
    finally:
        smtp_server.start()
    messages = assert_delivered_once(smtp_server, timeout=90)
    assert len(messages) == 6
    told = {(subject_of(m), first_line(m)) for m in messages}
    assert (f"[Helpdesk #{second.pk}] Imprimante", "Ticket reçu : Imprimante") in told
    assert (f"[Helpdesk #{first.pk}] Wi-Fi coupé", "Information demandée : Wi-Fi coupé") in told


def test_lost_tasks_are_delivered_by_the_sweep_once(
    publish_to_worker, people, smtp_server, settings
):
    """The broker lost the tasks (here: they were never queued). The sweep queues the rows
    again - twice, even - and each email still arrives exactly once."""
    requester, agent, category = people
    requester_client = logged_in(requester)
    with mock.patch.object(tasks.send_notifications, "delay", side_effect=OSError("broker down")):
        file_ticket_through_the_web(requester_client, category, "Badge refusé")
    assert Notification.objects.filter(status="pending").count() == 2
    time.sleep(1)
    assert smtp_server.messages() == []

    settings.NOTIFICATION_STALE_SECONDS = 0
    with transaction.atomic():  # both sweeps queue their tasks at the commit
        assert services.sweep() == 2
        assert services.sweep() == 2  # queued twice: the worker sends each row once
    messages = assert_delivered_once(smtp_server)
    assert len(messages) == 2


@pytest.mark.browser
def test_the_link_in_the_email_opens_the_ticket_in_the_browser(
    publish_to_worker, people, smtp_server, page, live_server, settings
):
    """The requester clicks the link of the email in Chromium and lands on their ticket."""
    requester, agent, category = people
    requester_client = logged_in(requester)
    ticket = file_ticket_through_the_web(requester_client, category, "Écran noir")
    messages = assert_delivered_once(smtp_server)
    receipt = next(m for m in messages if m["X-Envelope-To"] == requester.email)
    link = re.search(r'href="([^"]+/tickets/\d+/)"', html_of(receipt)).group(1)
    assert link == f"{live_server.url}/tickets/{ticket.pk}/"
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": requester_client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(link)
    assert urlsplit(page.url).path == f"/tickets/{ticket.pk}/"
    assert "Écran noir" in page.content()
