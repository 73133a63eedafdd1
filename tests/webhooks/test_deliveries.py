"""Webhooks: each public event of a service's tickets is posted, signed with HMAC-SHA256, to the
URLs an administrator registered for that service and event, through an outbox row: exactly
once per event and webhook, tried again with back-off on transient failures, failures visible
in the admin. The receiver is a real HTTP server process on a free loopback port."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services as ticket_services
from tickets import workflow
from tickets.models import TicketEvent
from webhooks import services
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db

RECEIVER = Path(__file__).with_name("receiver.py")


@dataclass
class Receiver:
    url: str
    record: Path

    def requests(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]


@pytest.fixture
def receiver(tmp_path) -> Iterator[Receiver]:
    record = tmp_path / "requests.jsonl"
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [sys.executable, str(RECEIVER), str(record)], stdout=subprocess.PIPE, text=True
    )
    try:
        port = int(process.stdout.readline())
        yield Receiver(f"http://127.0.0.1:{port}", record)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def desk():
    category = CategoryFactory()
    agent = agent_of(category.service)
    requester = UserFactory()
    return category, agent, requester


def _file(category, requester):
    return ticket_services.ticket_create(
        requester=requester, category=category, subject="Secret subject", description="Private."
    )


def test_an_event_is_posted_once_signed_without_any_text(
    receiver, desk, django_capture_on_commit_callbacks
):
    category, agent, requester = desk
    webhook = Webhook.objects.create(
        service=category.service, name="Chat", url=f"{receiver.url}/ok", events=["take"]
    )
    ticket = _file(category, requester)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=agent)
    (request,) = receiver.requests()
    headers = request["headers"]
    body = request["body"].encode()
    expected = hmac.new(
        webhook.secret.encode(),
        f"{headers['X-Helpdesk-Timestamp']}.".encode() + body,
        hashlib.sha256,
    ).hexdigest()
    assert headers["X-Helpdesk-Signature"] == f"sha256={expected}"
    assert headers["X-Helpdesk-Event"] == "take"
    payload = json.loads(body)
    assert payload["event"] == "take"
    assert payload["ticket"]["id"] == ticket.pk
    assert payload["ticket"]["status"] == "in_progress"
    assert b"Secret subject" not in body and b"Private." not in body
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.response_status == 200
    assert headers["X-Helpdesk-Delivery"] == str(delivery.pk)
    # Running the task again, or recording the event again, sends nothing more.
    assert services.deliver(delivery.pk).outcome == "skipped"
    services.record(TicketEvent.objects.get(pk=delivery.event_id))
    assert Delivery.objects.count() == 1
    assert len(receiver.requests()) == 1


def test_only_chosen_public_events_of_the_webhooks_service(
    receiver, desk, django_capture_on_commit_callbacks
):
    category, agent, requester = desk
    other = CategoryFactory()
    Webhook.objects.create(service=category.service, name="All", url=f"{receiver.url}/ok")
    Webhook.objects.create(service=other.service, name="Elsewhere", url=f"{receiver.url}/ok")
    Webhook.objects.create(
        service=category.service, name="Off", url=f"{receiver.url}/ok", is_active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _file(category, requester)
        workflow.take(ticket=ticket, actor=agent)
        ticket_services.comment_add(ticket=ticket, author=agent, text="Note", internal=True)
    events = [json.loads(r["body"])["event"] for r in receiver.requests()]
    assert events == ["created", "take"]


def test_a_transient_failure_is_tried_again_with_the_same_delivery_id(
    receiver, desk, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_RETRY_DELAY = 30
    category, agent, requester = desk
    Webhook.objects.create(
        service=category.service, name="Flaky", url=f"{receiver.url}/flaky", events=["take"]
    )
    ticket = _file(category, requester)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=agent)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1 and delivery.last_error == "HTTP 503"
    assert (delivery.due_at - delivery.created_at).total_seconds() >= 30
    assert services.deliver(delivery.pk).outcome == "sent"
    first, second = receiver.requests()
    assert first["headers"]["X-Helpdesk-Delivery"] == second["headers"]["X-Helpdesk-Delivery"]
    assert services.retry_delay(1) == 30 and services.retry_delay(3) == 120


def test_a_refusing_receiver_fails_at_once_and_the_admin_sees_and_resends_it(
    receiver, desk, django_capture_on_commit_callbacks
):
    category, agent, requester = desk
    Webhook.objects.create(
        service=category.service, name="Gone", url=f"{receiver.url}/gone", events=["take"]
    )
    ticket = _file(category, requester)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.take(ticket=ticket, actor=agent)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.last_error == "HTTP 410"
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get("/admin/webhooks/delivery/?status=failed")
    assert page.status_code == 200 and b"Gone" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend([delivery.pk]) == 1
    assert len(receiver.requests()) == 2


def test_the_last_attempt_fails_the_row(receiver, desk, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    category, agent, requester = desk
    Webhook.objects.create(
        service=category.service, name="Down", url=f"{receiver.url}/fail", events=["take"]
    )
    ticket = _file(category, requester)
    workflow.take(ticket=ticket, actor=agent)
    delivery = Delivery.objects.get()
    assert services.deliver(delivery.pk).outcome == "retry"
    assert services.deliver(delivery.pk).outcome == "failed"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 2


def test_an_unreachable_receiver_is_tried_again(desk):
    category, agent, requester = desk
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Webhook.objects.create(
        service=category.service, name="Nobody", url=f"http://127.0.0.1:{port}/", events=["take"]
    )
    ticket = _file(category, requester)
    workflow.take(ticket=ticket, actor=agent)
    result = services.deliver(Delivery.objects.get().pk)
    assert result.outcome == "retry" and "Connection refused" in result.error


def test_a_service_without_webhooks_costs_no_query(desk, django_assert_num_queries):
    category, agent, requester = desk
    ticket = _file(category, requester)
    event = TicketEvent.objects.select_related("ticket").filter(ticket=ticket).first()
    services.services_with_webhooks()
    with django_assert_num_queries(0):
        assert services.record(event) == []
