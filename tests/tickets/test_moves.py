"""The declaration of the lifecycle (tickets/moves.py) is the one the rest of the code obeys."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tickets.models import Ticket
from tickets.moves import MOVES, OFFERED, Kind, Move, Role, Stat, counted_as, made_by
from tickets.views import agent_ticket, requester

S = Ticket.Status
ROOT = Path(settings.BASE_DIR)


def fsm_graph() -> set[tuple[str, str, str]]:
    """(method, source, target) for every transition django-fsm knows on Ticket.status."""
    field = Ticket._meta.get_field("status")
    return {(t.name, t.source, t.target) for t in field.get_all_transitions(Ticket)}


def table_graph() -> set[tuple[str, str, str]]:
    """The same edges, read from the declaration."""
    return {
        (rule.transition, source, rule.target)
        for rule in MOVES.values()
        if rule.transition
        for source in rule.sources
    }


def test_the_fsm_graph_is_the_table():
    """Every transition of the model is an edge of the table, and every edge a transition."""
    assert fsm_graph() == table_graph()


def test_every_status_change_has_its_transition():
    """A move changes the status exactly when it has a transition named after it; writes that
    change no status (comment, internal note, attachment, priority, creation) have none."""
    for move, rule in MOVES.items():
        assert (rule.target is None) == (rule.transition is None), move
        assert rule.transition in (None, move.value), move
        if rule.transition:
            assert callable(getattr(Ticket, rule.transition)), move


def test_the_table_declares_every_move_once():
    assert list(MOVES) == list(Move)


def test_every_status_is_reachable_and_every_active_status_can_be_left():
    """No status is a dead end while the ticket is active, and every status can be reached."""
    targets = {rule.target for rule in MOVES.values() if rule.target} | {S.OPEN}
    assert targets == set(S)
    sources = {source for rule in MOVES.values() if rule.target for source in rule.sources}
    assert set(Ticket.ACTIVE_STATUSES) | {S.CLOSED} <= sources


def test_event_kinds_follow_the_moves():
    """Status changes write status events, except moves that are better told by what they do
    to the assignee or the service."""
    for move, rule in MOVES.items():
        if rule.target is not None:
            assert rule.kind in {Kind.STATUS_CHANGED, Kind.ASSIGNED, Kind.TRANSFERRED}, move
        else:
            assert rule.kind not in {Kind.STATUS_CHANGED, Kind.ASSIGNED}, move


def test_the_helpdesk_moves_are_its_own():
    """Moves of the system are never offered to a person on a page."""
    for move, rule in MOVES.items():
        if rule.by == {Role.SYSTEM}:
            assert not rule.offered, move
    assert Move.EXPIRE_CLOSURE not in OFFERED


def test_statistics_classes():
    assert set(counted_as(Stat.CLOSING)) == {
        Move.APPROVE_CLOSURE,
        Move.EXPIRE_CLOSURE,
        Move.MARK_SOLVED,
    }
    assert set(counted_as(Stat.ENDING)) == {Move.CANCEL, Move.REJECT, Move.MERGE}
    assert counted_as(Stat.REOPENING) == (Move.REOPEN,)
    for move in counted_as(Stat.CLOSING) + counted_as(Stat.ENDING):
        assert MOVES[move].target in Ticket.TERMINAL_STATUSES


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_timeline_sentence_names_its_values(language):
    """Each sentence formats with the values `events.describe` gives, in both languages."""
    values = dict.fromkeys(("actor", "before", "after", "before_status", "after_status"), "x")
    with translation.override(language):
        for move, rule in MOVES.items():
            for sentence in filter(None, (rule.timeline, rule.timeline_automatic)):
                assert str(sentence) % values, move


def test_every_label_and_sentence_is_translated_into_french():
    """Move names, timeline sentences and missing-text messages all have a French version."""
    for move, rule in MOVES.items():
        texts = [move.label, rule.timeline, rule.timeline_automatic, rule.text_required]
        for text in filter(None, texts):
            with translation.override("en"):
                english = str(text)
            with translation.override("fr"):
                assert str(text) != english, (move, english)


def test_every_email_of_the_table_has_its_templates():
    for move, rule in MOVES.items():
        for notify in rule.notify:
            for suffix in (".subject.txt", ".txt", ".html"):
                path = ROOT / "templates" / "emails" / f"{notify.email}{suffix}"
                assert path.exists(), (move, path)


def test_the_desk_offers_every_move_of_the_service():
    """Each move an agent may choose has its form on the desk's ticket page."""
    service_roles = {Role.SERVICE_AGENT, Role.ASSIGNED_AGENT, Role.HEAD, Role.SUPERUSER}
    agents_moves = {move for move in OFFERED if MOVES[move].by & service_roles}
    desk_moves = {
        move for action in agent_ticket.ACTIONS.values() for move in (action.move, *action.also)
    }
    assert desk_moves == agents_moves


def test_the_requester_page_offers_every_move_of_the_requester():
    """Each move a requester may choose is in the ACTIONS menu, with its form on the page."""
    assert set(requester.MENU) == set(made_by(Role.REQUESTER))
    pages = "".join(
        (ROOT / "templates" / "tickets" / name).read_text(encoding="utf-8")
        for name in ("detail.html", "_closure_decision.html")
    )
    for move in requester.MENU:
        assert f'id="action-{move.value}"' in pages, move
    assert requester.MENU.index(Move.APPROVE_CLOSURE) < requester.MENU.index(Move.REFUSE_CLOSURE)
