"""Automatic assignment of new tickets (tickets/assignment.py)."""

from __future__ import annotations

import pytest

from categories.models import Category, ServiceMembership
from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of, head_of
from tickets import assignment
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

Mode = Category.AssignmentMode


@pytest.fixture(autouse=True)
def _quiet(monkeypatch, settings) -> None:
    import notifications

    monkeypatch.setattr(notifications, "notify", lambda event: None)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _category(mode: str, **kwargs) -> Category:
    category = CategoryFactory(**kwargs)
    Category.objects.filter(pk=category.pk).update(assignment_mode=mode)
    category.refresh_from_db()
    return category


def test_no_assignment_by_default():
    """Without a mode the ticket waits in the queue."""
    category = CategoryFactory()
    agent_of(category.handling_service)
    ticket = TicketFactory(category=category)
    assert assignment.auto_assign(ticket) is None
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Ticket.Status.OPEN, None)


def test_fixed_agent_receives_the_ticket():
    """A fixed agent gets every new ticket, recorded on the timeline as an assignment."""
    category = _category(Mode.FIXED)
    agent = agent_of(category.handling_service)
    Category.objects.filter(pk=category.pk).update(assignment_agent=agent)
    category.refresh_from_db()
    ticket = TicketFactory(category=category)
    assert assignment.auto_assign(ticket) == agent
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Ticket.Status.IN_PROGRESS, agent)
    assert TicketEvent.objects.filter(ticket=ticket, action="assign").exists()


def test_unavailable_or_departed_fixed_agent_gets_nothing():
    """A fixed agent who is unavailable, or no longer in the service, leaves it in the queue."""
    category = _category(Mode.FIXED)
    agent = agent_of(category.handling_service, is_available=False)
    Category.objects.filter(pk=category.pk).update(assignment_agent=agent)
    category.refresh_from_db()
    assert assignment.auto_assign(TicketFactory(category=category)) is None
    outsider = UserFactory()
    Category.objects.filter(pk=category.pk).update(assignment_agent=outsider)
    category.refresh_from_db()
    assert assignment.auto_assign(TicketFactory(category=category)) is None


def test_round_robin_turns_among_available_agents():
    """Round-robin hands tickets in turn to available members, skipping unavailable ones."""
    category = _category(Mode.ROUND_ROBIN)
    service = category.handling_service
    first = agent_of(service)
    second = head_of(service)
    agent_of(service, is_available=False)
    received = [assignment.auto_assign(TicketFactory(category=category)) for _ in range(4)]
    assert received == [first, second, first, second]


def test_round_robin_without_available_agent_leaves_the_ticket_queued():
    category = _category(Mode.ROUND_ROBIN)
    agent_of(category.handling_service, is_available=False)
    ticket = TicketFactory(category=category)
    assert assignment.auto_assign(ticket) is None
    assert ServiceMembership.objects.filter(last_auto_assigned_at__isnull=False).count() == 0


def test_fixed_mode_needs_an_agent_of_the_service():
    """The admin refuses a fixed mode without an agent, or with someone outside the service."""
    from django.core.exceptions import ValidationError

    category = CategoryFactory()
    category.assignment_mode = Mode.FIXED
    with pytest.raises(ValidationError) as error:
        category.full_clean()
    assert "assignment_agent" in error.value.message_dict
    category.assignment_agent = UserFactory()
    with pytest.raises(ValidationError):
        category.full_clean()
    category.assignment_agent = agent_of(category.handling_service)
    category.full_clean()
    child = CategoryFactory(parent=category, service=None)
    child.assignment_mode = Mode.FIXED
    child.assignment_agent = category.assignment_agent
    child.full_clean()


def test_filing_a_ticket_assigns_it_as_the_category_asks(
    django_capture_on_commit_callbacks, monkeypatch
):
    """ticket_create runs the category's automatic assignment: the helpdesk is the actor, the
    timeline says so, and the chosen agent is told by email."""
    from django.core import mail
    from django.utils import translation

    import notifications.services
    from tickets import events, services

    monkeypatch.setattr(notifications, "notify", notifications.services.notify)
    category = _category(Mode.ROUND_ROBIN)
    agent = agent_of(category.handling_service)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            requester=UserFactory(), category=category, subject="Wi-Fi", description="Down."
        )
    assert (ticket.status, ticket.assignee) == (Ticket.Status.IN_PROGRESS, agent)
    event = TicketEvent.objects.get(ticket=ticket, action="assign")
    assert event.actor is None
    with translation.override("en"):
        assert events.describe(event) == (
            f"The ticket was assigned automatically to {agent.display_name}"
        )
    assert any(agent.email in message.to for message in mail.outbox)
