"""Closure requests left unanswered close by themselves after the service's delay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.factories import TicketFactory
from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import tasks, workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket

S = Ticket.Status


@pytest.fixture
def cast(db, notified) -> Cast:
    return make_cast()


def pending(cast: Cast, days_ago: float) -> Ticket:
    """A ticket whose closure was requested `days_ago` days ago."""
    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    Ticket.objects.filter(pk=ticket.pk).update(
        closure_requested_at=timezone.now() - timedelta(days=days_ago)
    )
    ticket.refresh_from_db()
    return ticket


def test_nothing_closes_before_the_delay(cast):
    """One second before the deadline the ticket still waits for the requester."""
    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    deadline = ticket.closure_requested_at + timedelta(days=cast.service.closure_approval_days)
    assert workflow.expire_overdue_closures(now=deadline - timedelta(seconds=1)) == 0
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSURE_PENDING
    with pytest.raises(TransitionRefused):
        workflow.expire_closure(ticket=ticket, now=deadline - timedelta(seconds=1))


def test_an_overdue_ticket_closes_with_a_system_event(cast, notified):
    """At the deadline the helpdesk closes the ticket: closed_at is that time, the event has no
    actor and is notified."""
    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    now = ticket.closure_requested_at + timedelta(days=cast.service.closure_approval_days)
    notified.clear()
    assert workflow.expire_overdue_closures(now=now) == 1
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == (S.CLOSED, now)
    event = ticket.events.latest("created_at", "pk")
    assert (event.action, event.actor, event.before, event.after) == (
        "expire_closure",
        None,
        S.CLOSURE_PENDING,
        S.CLOSED,
    )
    assert notified == [event]
    assert workflow.expire_overdue_closures(now=now) == 0  # once only


def test_each_service_has_its_own_delay(cast):
    """A 3-day service closes after 3 days; the 14-day one waits."""
    cast.other_service.closure_approval_days = 3
    cast.other_service.save()
    slow = pending(cast, days_ago=4)
    fast = TicketFactory(requester=cast.requester, category=cast.other_category)
    workflow.take(ticket=fast, actor=cast.other_agent)
    workflow.request_closure(ticket=fast, actor=cast.other_agent, resolution="Done")
    Ticket.objects.filter(pk=fast.pk).update(
        closure_requested_at=timezone.now() - timedelta(days=4)
    )
    assert workflow.expire_overdue_closures() == 1
    slow.refresh_from_db()
    fast.refresh_from_db()
    assert (slow.status, fast.status) == (S.CLOSURE_PENDING, S.CLOSED)


def test_other_statuses_are_left_alone(cast):
    """Only tickets awaiting approval expire; an answered request does not."""
    ticket = pending(cast, days_ago=30)
    workflow.refuse_closure(ticket=ticket, actor=cast.requester, reason="No")
    in_progress = ticket_in(S.IN_PROGRESS, cast)
    assert workflow.expire_overdue_closures() == 0
    in_progress.refresh_from_db()
    assert in_progress.status == S.IN_PROGRESS


def test_one_failure_does_not_stop_the_others(cast, monkeypatch):
    """Each ticket closes in its own transaction: an error on one leaves the others closed."""
    first, second, third = (pending(cast, days_ago=20 + n) for n in range(3))
    original = workflow.expire_closure

    def flaky(*, ticket, now=None):
        if ticket.pk == second.pk:
            raise RuntimeError("storage down")
        return original(ticket=ticket, now=now)

    monkeypatch.setattr(workflow, "expire_closure", flaky)
    assert workflow.expire_overdue_closures() == 2
    statuses = dict(
        Ticket.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status")
    )
    assert statuses == {first.pk: S.CLOSED, second.pk: S.CLOSURE_PENDING, third.pk: S.CLOSED}


def test_the_task_and_the_command_run_the_sweep(cast):
    """Celery beat's task and the cron command both close overdue tickets."""
    first = pending(cast, days_ago=15)
    assert tasks.expire_closures() == 1
    second = pending(cast, days_ago=15)
    call_command("expire_closures", verbosity=0)
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.status == S.CLOSED


def test_the_sweep_runs_every_hour():
    """The beat schedule runs the task hourly."""
    entry = settings.CELERY_BEAT_SCHEDULE["expire-closures"]
    assert entry["task"] == "tickets.tasks.expire_closures"
    assert entry["schedule"] == 3600.0
    assert tasks.expire_closures.name == "tickets.tasks.expire_closures"
