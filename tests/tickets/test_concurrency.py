"""Two people acting on the same ticket at the same moment, on PostgreSQL: the row lock makes
exactly one move win, and the other person is told what happened."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import translation

import notifications
from tests.tickets.lifecycle import make_cast, ticket_in
from tickets import workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket

S = Ticket.Status
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_notify(monkeypatch, fast_passwords) -> None:
    """Each move holds its lock a little longer (inside its transaction), so the moves made at
    the same moment really overlap."""

    def notify(event):
        time.sleep(0.3)

    monkeypatch.setattr(notifications, "notify", notify)


def race(*moves: Callable[[], object]) -> list[object]:
    """Runs the moves at the same instant, each in its own thread and database connection;
    returns each one's result or exception."""
    barrier = threading.Barrier(len(moves))
    results: list[object] = [None] * len(moves)

    def run(index: int, move: Callable[[], object]) -> None:
        try:
            with translation.override("fr"):
                barrier.wait(timeout=10)
                results[index] = move()
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_agents_take_the_same_ticket_at_once(postgres, slow_notify):
    """Exactly one wins; the other gets a 409 naming the winner; one event is written."""
    cast = make_cast()
    ticket = ticket_in(S.OPEN, cast)
    results = race(
        lambda: workflow.take(ticket=ticket, actor=cast.agent),
        lambda: workflow.take(ticket=ticket, actor=cast.assigned),
    )
    wins = [r for r in results if isinstance(r, Ticket)]
    losses = [r for r in results if isinstance(r, TransitionRefused)]
    assert (len(wins), len(losses)) == (1, 1), results
    ticket.refresh_from_db()
    winner = ticket.assignee
    assert winner in (cast.agent, cast.assigned)
    assert wins[0].assignee == winner
    assert losses[0].status_code == 409
    assert losses[0].message == f"Ce ticket a déjà été pris en charge par {winner.display_name}."
    assert ticket.events.filter(action="take").count() == 1


def test_approval_and_automatic_closure_at_the_same_time(postgres, slow_notify):
    """The requester answers as the sweep runs: the ticket is closed once, with one event."""
    cast = make_cast()
    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    late = ticket.closure_requested_at + timedelta(days=cast.service.closure_approval_days + 1)
    results = race(
        lambda: workflow.refuse_closure(ticket=ticket, actor=cast.requester, reason="Not fixed"),
        lambda: workflow.expire_overdue_closures(now=late),
    )
    ticket.refresh_from_db()
    closing_events = ticket.events.filter(action__in=["refuse_closure", "expire_closure"])
    assert closing_events.count() == 1, results
    if closing_events.get().action == "refuse_closure":
        assert ticket.status == S.IN_PROGRESS
        assert results[1] == 0
    else:
        assert ticket.status == S.CLOSED
        assert isinstance(results[0], TransitionRefused)
        assert results[0].status_code == 409
