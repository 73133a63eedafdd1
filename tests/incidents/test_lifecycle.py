"""The incident's moves on a ticket are rows of the lifecycle like any other: every (status ×
move × person) is allowed or refused (403/409) exactly as tickets/moves.py declares."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.tickets.lifecycle import ROLES, Cast, kept_for_the_module, make_cast, silent, ticket_in
from tests.tickets.test_permissions import expected
from tickets import workflow
from tickets.exceptions import TransitionRefused
from tickets.models import Ticket
from tickets.moves import MOVES, Move

S = Ticket.Status
INCIDENT_MOVES = (Move.LINK_INCIDENT, Move.INCIDENT_UPDATE, Move.INCIDENT_RESOLVED)
LABEL = "INC-1 « Eduroam indisponible »"

PERFORM: dict[Move, Callable[[Ticket, object], object]] = {
    Move.LINK_INCIDENT: lambda t, a: workflow.link_incident(ticket=t, actor=a, incident=LABEL),
    Move.INCIDENT_UPDATE: lambda t, a: workflow.post_incident_update(
        ticket=t, actor=a, incident=LABEL, text="Retour prévu à 14 h."
    ),
    Move.INCIDENT_RESOLVED: lambda t, a: workflow.announce_incident_resolved(
        ticket=t, actor=a, incident=LABEL, text="Réparé."
    ),
}

pytestmark = pytest.mark.usefixtures("notified")


def test_the_incident_moves_are_made_from_the_incident_not_the_ticket_page():
    for move in INCIDENT_MOVES:
        rule = MOVES[move]
        assert not rule.offered and rule.target is None, move


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[tuple[Cast, dict[str, int]]]:
    with kept_for_the_module(django_db_blocker):
        with silent():
            cast = make_cast()
            tickets = {status: ticket_in(status, cast).pk for status in S.values}
        yield cast, tickets


@pytest.mark.django_db
@pytest.mark.parametrize("person", ROLES)
@pytest.mark.parametrize("move", INCIDENT_MOVES)
@pytest.mark.parametrize("status", list(S.values))
def test_incident_lifecycle_table(world, notified, status: str, move: Move, person: str) -> None:
    """Allowed: one event, the status unchanged, its emails handed to the outbox; refused: the
    declared code and nothing written."""
    cast, tickets = world
    ticket = Ticket.objects.get(pk=tickets[status])
    actor = cast.person(person)
    refusal = expected(status, move, person)
    before = ticket.events.count()
    if refusal is None:
        PERFORM[move](ticket, actor)
        ticket.refresh_from_db()
        assert ticket.status == status
        event = ticket.events.order_by("-pk").first()
        assert (event.action, event.after) == (move, LABEL)
        assert notified[-1] == event
    else:
        with pytest.raises(TransitionRefused) as refused:
            PERFORM[move](ticket, actor)
        assert refused.value.status_code == refusal
        assert ticket.events.count() == before


def test_an_update_needs_its_text(db, notified):
    cast = make_cast()
    ticket = ticket_in(S.OPEN, cast)
    with pytest.raises(TransitionRefused) as refused:
        workflow.post_incident_update(ticket=ticket, actor=cast.agent, incident=LABEL, text=" ")
    assert refused.value.status_code == 400
