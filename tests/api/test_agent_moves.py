"""The agents' other moves through the API, with the refusals of their pages: postponing to a
day in the past, merging into a ticket of another service, linking a ticket one does not see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    category = CategoryFactory()
    agent = agent_of(category.service)
    tickets = [
        services.ticket_create(
            requester=UserFactory(), category=category, subject=f"Ticket {n}", description="D"
        )
        for n in range(2)
    ]
    for ticket in tickets:
        workflow.take(ticket=ticket, actor=agent)
    return agent, tickets


def _post(client, pk, name, body):
    return client.post(f"/api/v1/tickets/{pk}/{name}/", body, content_type="application/json")


def test_postpone_to_a_later_day_then_resume(desk):
    agent, (ticket, _other) = desk
    client = api_client(agent)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = _post(client, ticket.pk, "postpone", {"until": yesterday, "reason": "Supplier"})
    assert response.status_code == 400
    assert response.json()["type"] == "urn:helpdesk:problem:invalid"
    later = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = _post(client, ticket.pk, "postpone", {"until": later, "reason": "Supplier"})
    assert response.json()["status"] == "postponed"
    assert _post(client, ticket.pk, "resume", {}).json()["status"] == "in_progress"


def test_merge_and_link_only_tickets_of_the_agents_services(desk):
    agent, (ticket, other) = desk
    elsewhere = services.ticket_create(
        requester=UserFactory(), category=CategoryFactory(), subject="Elsewhere", description="D"
    )
    client = api_client(agent)
    for name, field in (("link", "other"), ("merge", "into")):
        response = _post(client, ticket.pk, name, {field: elsewhere.pk})
        assert response.status_code == 400, name
        assert b"Elsewhere" not in response.content
    assert _post(client, ticket.pk, "link", {"other": other.pk}).status_code == 200
    assert _post(client, ticket.pk, "link", {"other": other.pk}).status_code == 409
    assert _post(client, ticket.pk, "unlink", {"other": other.pk}).status_code == 200
    response = _post(client, ticket.pk, "merge", {"into": other.pk})
    assert response.json()["status"] == "merged"
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id == other.pk


def test_correct_the_subject_and_the_category(desk):
    agent, (ticket, _other) = desk
    sibling = CategoryFactory(service=ticket.service)
    client = api_client(agent)
    assert (
        _post(client, ticket.pk, "edit_subject", {"subject": "Printer on floor 2"}).status_code
        == 200
    )
    response = _post(client, ticket.pk, "change_category", {"category": sibling.pk})
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.subject == "Printer on floor 2" and ticket.category_id == sibling.pk
