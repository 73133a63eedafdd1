"""The production stack launcher: web, worker and SMTP sink start, answer, restart and stop.

The stack runs gunicorn with production settings against a PostgreSQL database of its own, tasks
travel through Redis to a real Celery worker, and mail lands in the SMTP sink's folder.
"""

from __future__ import annotations

import os
import re

import pytest

from bench.stack import (
    LoginRefused,
    ProductionStack,
    StackError,
    port_open,
    wait_until,
    with_database,
)
from tests.conftest import require_service

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.celery, pytest.mark.smtp]

PASSWORD = "Bench-stack-password-42"
CREATE_PEOPLE = f"""
from accounts.models import User
from categories.models import Category, Service, ServiceMembership
service, _ = Service.objects.get_or_create(name="Informatique")
category, _ = Category.objects.get_or_create(
    slug="messagerie", defaults={{"name": "Messagerie", "service": service}}
)
for email, name in [("agent@univ.example", "Alex Agent"), ("camille@univ.example", "Camille")]:
    user = User.objects.filter(email=email).first() or User(email=email, full_name=name)
    user.set_password({PASSWORD!r})
    user.save()
agent = User.objects.get(email="agent@univ.example")
ServiceMembership.objects.get_or_create(user=agent, service=service)
"""


def stack_database_url() -> str:
    """A database of the test's own on the PostgreSQL server of DATABASE_URL (or the local one)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return with_database(url, f"helpdesk_stack_test_{worker}")


@pytest.fixture(scope="module")
def stack(redis_url) -> ProductionStack:
    require_service(port_open(5432), "needs PostgreSQL at 127.0.0.1:5432")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    redis = with_database(redis_url, str(10 + int(worker) if worker.isdigit() else 10))
    try:
        with ProductionStack(stack_database_url(), redis_url=redis, web_workers=2) as stack:
            stack.manage("shell", "-c", CREATE_PEOPLE)
            yield stack
    except StackError as error:
        pytest.fail(str(error), pytrace=False)


def test_serves_pages_to_a_person_signed_in_through_the_login_form(stack):
    """An agent signs in through the real form and sees the desk; DEBUG is off."""
    import requests

    session = requests.Session()
    stack.login(session, "agent@univ.example", PASSWORD)
    response = session.get(stack.url("/desk/"), timeout=30)
    assert response.status_code == 200
    assert "agent@univ.example" in response.text or "Alex Agent" in response.text
    missing = session.get(stack.url("/no-such-page/"), timeout=30)
    assert missing.status_code == 404
    assert "Traceback" not in missing.text and "URLconf" not in missing.text  # DEBUG off
    assert session.get(stack.url("/healthz"), timeout=10).text == "ok"


def test_a_wrong_password_is_refused(stack):
    """The helper fails loudly when the sign-in is refused."""
    import requests

    with pytest.raises(LoginRefused, match="sign-in refused"):
        stack.login(requests.Session(), "agent@univ.example", "wrong-password")


def test_static_files_are_served_hashed(stack):
    """collectstatic ran: the page links hashed static files that whitenoise serves."""
    import requests

    page = requests.get(stack.url("/accounts/login/"), timeout=30).text
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert css, "no hashed stylesheet in the page"
    assert requests.get(stack.url(css.group(1)), timeout=30).status_code == 200


def test_mail_goes_through_the_worker_to_the_sink_and_waits_while_they_are_down(stack):
    """A ticket filed while the worker and the mail server are stopped is mailed once both are
    started again."""
    import requests

    session = requests.Session()
    stack.login(session, "camille@univ.example", PASSWORD)
    stack.clear_mailbox()
    stack.stop("worker")
    stack.stop("smtp")
    assert not stack.running("worker") and not port_open(stack.smtp_port)
    session.get(stack.url("/tickets/new/"), timeout=30)
    token = session.cookies["csrftoken"]
    response = session.post(
        stack.url("/tickets/new/"),
        data={
            "csrfmiddlewaretoken": token,
            "category": "messagerie",
            "subject": "Plus de courriels",
            "description": "Je ne reçois plus rien depuis ce matin.",
        },
        headers={"Referer": stack.url("/tickets/new/")},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    assert stack.mail_count() == 0
    stack.start("smtp")
    stack.start("worker")
    assert wait_until(lambda: stack.mail_count() > 0, timeout=60), stack.tail("worker")


def test_restarting_the_web_keeps_its_address(stack):
    """A restarted component keeps its port: clients reconnect to the same address."""
    import requests

    url = stack.base_url
    stack.restart("web")
    assert stack.base_url == url
    assert requests.get(stack.url("/healthz"), timeout=10).text == "ok"
