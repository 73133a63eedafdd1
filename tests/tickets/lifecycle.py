"""Builders for lifecycle tests: a service with one person in each role, tickets in any status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

import notifications
from categories.models import Category, Service
from tests.factories import CategoryFactory, TicketFactory, UserFactory, agent_of, head_of
from tickets import workflow
from tickets.models import Ticket

Status = Ticket.Status


@pytest.fixture
def fast_passwords(settings) -> None:
    """Test people get a quick password hash: the table builds thousands of them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def notified(fast_passwords, monkeypatch) -> list:
    """The events handed to `notifications.notify`, instead of writing the outbox.

    Lifecycle tests check that each move notifies its event; what the outbox does with it is the
    notifications app's business, tested there.
    """
    events: list = []
    monkeypatch.setattr(notifications, "notify", events.append)
    return events


ROLES = (
    "requester",
    "other_requester",
    "agent",
    "assigned",
    "other_agent",
    "head",
    "superuser",
)


@dataclass
class Cast:
    """A service with its category, another service, and one person per role."""

    service: Service
    category: Category
    other_service: Service
    other_category: Category
    requester: Any
    other_requester: Any
    agent: Any
    assigned: Any
    other_agent: Any
    head: Any
    superuser: Any

    def person(self, role: str) -> Any:
        return getattr(self, role)


@contextmanager
def kept_for_the_module(django_db_blocker: Any) -> Iterator[None]:
    """Rows written inside are kept for a module's tests and rolled back after its last one.

    For module-scoped fixtures (the idea of Django's `setUpTestData`): each test asking for `db`
    runs in a savepoint inside this transaction, so what a test changes is undone after it. Not
    for modules with transactional tests (`transactional_db`, `live_server`).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextmanager
def silent() -> Iterator[None]:
    """Moves made inside write no outbox rows (data built for a module, outside any test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notifications, "notify", lambda event: None)
        yield


def make_cast() -> Cast:
    category = CategoryFactory(name="Réseau")
    other_category = CategoryFactory(name="Scolarité")
    service = category.handling_service
    other_service = other_category.handling_service
    return Cast(
        service=service,
        category=category,
        other_service=other_service,
        other_category=other_category,
        requester=UserFactory(full_name="Rita Requester"),
        other_requester=UserFactory(full_name="Oscar Other"),
        agent=agent_of(service, user__full_name="Alice Agent"),
        assigned=agent_of(service, user__full_name="Bob Assigned"),
        other_agent=agent_of(other_service, user__full_name="Olga Elsewhere"),
        head=head_of(service, user__full_name="Hector Head"),
        superuser=UserFactory(full_name="Sam Super", is_superuser=True, is_staff=True),
    )


def next_week() -> date:
    """A day a ticket may be postponed until."""
    return timezone.localdate() + timedelta(days=7)


def ticket_in(status: str, cast: Cast) -> Ticket:
    """A ticket of the cast's requester brought to `status` through the workflow.

    Tickets past "in progress" are assigned to `cast.assigned`; open, reopened and cancelled
    tickets have nobody assigned.
    """
    ticket = TicketFactory(requester=cast.requester, category=cast.category)
    if status == Status.OPEN:
        return ticket
    if status == Status.CANCELLED:
        return workflow.cancel(ticket=ticket, actor=cast.requester)
    ticket = workflow.take(ticket=ticket, actor=cast.assigned)
    if status == Status.IN_PROGRESS:
        return ticket
    if status == Status.INFO_REQUESTED:
        return workflow.request_info(ticket=ticket, actor=cast.assigned, question="Which room?")
    if status == Status.REJECTED:
        return workflow.reject(ticket=ticket, actor=cast.assigned, reason="Not for us.")
    if status == Status.POSTPONED:
        return workflow.postpone(
            ticket=ticket, actor=cast.assigned, until=next_week(), reason="Waiting for a part."
        )
    if status == Status.MERGED:
        into = TicketFactory(requester=cast.other_requester, category=cast.category)
        return workflow.merge(ticket=ticket, actor=cast.assigned, into=into)
    ticket = workflow.request_closure(ticket=ticket, actor=cast.assigned, resolution="Fixed.")
    if status == Status.CLOSURE_PENDING:
        return ticket
    ticket = workflow.approve_closure(ticket=ticket, actor=cast.requester)
    if status == Status.CLOSED:
        return ticket
    if status == Status.REOPENED:
        return workflow.reopen(ticket=ticket, actor=cast.requester, reason="Broken again.")
    raise ValueError(status)


# --- People around a ticket ------------------------------------------------------------------

# Besides the cast's roles, people invited to or following the table's tickets: an invitee (no
# agent anywhere), an agent of the other service invited for advice, an agent of the service
# following the ticket.
PEOPLE_ROLES = ("invitee", "invited_agent", "watcher")


def add_people(cast: Cast) -> None:
    """Gives the cast its invitee, invited agent and watcher (`cast.person("invitee")`...)."""
    cast.invitee = UserFactory(full_name="Ines Invitee")  # type: ignore[attr-defined]
    cast.invited_agent = agent_of(  # type: ignore[attr-defined]
        cast.other_service, user__full_name="Ivan Adviser"
    )
    cast.watcher = agent_of(cast.service, user__full_name="Wanda Watcher")  # type: ignore[attr-defined]


def surround(ticket: Ticket, cast: Cast) -> Ticket:
    """Invites the cast's invitee and invited agent to the ticket, and makes its watcher follow
    it (rows only: the table's tickets keep the timeline their status gave them)."""
    from tickets.models import Invitation, Watcher

    Invitation.objects.create(ticket=ticket, user=cast.person("invitee"), invited_by=cast.requester)
    Invitation.objects.create(
        ticket=ticket, user=cast.person("invited_agent"), invited_by=cast.agent
    )
    Watcher.objects.create(ticket=ticket, agent=cast.person("watcher"))
    return ticket
