"""The timeline: tickets.events is its only writer, and every event says who, when, what."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.utils import translation

from tests.tickets.lifecycle import Cast, make_cast, ticket_in
from tickets import events, services, workflow
from tickets.models import Ticket, TicketEvent

S = Ticket.Status
Visibility = TicketEvent.Visibility


@pytest.fixture
def cast(db, notified) -> Cast:
    return make_cast()


def test_only_the_events_module_writes_events():
    """No project module but tickets/events.py creates TicketEvent rows."""
    root = pathlib.Path(__file__).resolve().parents[2]
    writes = re.compile(
        r"(?<!class )TicketEvent\s*\(|TicketEvent\.objects\.(create|bulk_create|get_or_create)"
    )
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("*/**/*.py")
        # Hidden folders (virtualenvs such as .venv-3.12, .git) hold no project code.
        if not {"tests", "migrations"} & set(path.relative_to(root).parts)
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and path.as_posix() != (root / "tickets" / "events.py").as_posix()
        and writes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_whole_life_reads_as_a_timeline(cast):
    """Creation, messages, files, moves: each event has its actor, time, values and visibility,
    in order."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = services.ticket_create(
        requester=cast.requester, category=cast.category, subject="No Wi-Fi", description="B12"
    )
    workflow.take(ticket=ticket, actor=cast.assigned)
    services.comment_add(ticket=ticket, author=cast.assigned, text="Router?", internal=True)
    services.attachment_add(
        ticket=ticket, uploader=cast.requester, file=SimpleUploadedFile("a.txt", b"trace")
    )
    workflow.change_priority(ticket=ticket, actor=cast.assigned, priority=Ticket.Priority.HIGH)
    workflow.transfer(ticket=ticket, actor=cast.assigned, category=cast.other_category, note="N")
    rows = list(
        ticket.events.order_by("created_at", "pk").values_list(
            "kind", "action", "actor__full_name", "before", "after", "text", "visibility"
        )
    )
    assert rows == [
        ("created", "created", "Rita Requester", "", "open", "", Visibility.PUBLIC),
        ("assigned", "take", "Bob Assigned", "", "Bob Assigned", "", Visibility.PUBLIC),
        ("comment", "internal_note", "Bob Assigned", "", "", "Router?", Visibility.INTERNAL),
        ("attachment", "attachment", "Rita Requester", "", "a.txt", "", Visibility.PUBLIC),
        ("priority_changed", "change_priority", "Bob Assigned", "2", "3", "", Visibility.PUBLIC),
        (
            "transferred",
            "transfer",
            "Bob Assigned",
            f"Réseau ({cast.service.name})",
            f"Scolarité ({cast.other_service.name})",
            "N",
            Visibility.INTERNAL,
        ),
    ]
    times = [event.created_at for event in ticket.events.all()]
    assert times == sorted(times)


def test_every_event_bumps_the_last_activity(cast):
    """updated_at is the time of the last event, whatever wrote it."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    for write in (
        lambda: services.comment_add(ticket=ticket, author=cast.requester, text="Hello"),
        lambda: services.comment_add(ticket=ticket, author=cast.agent, text="Note", internal=True),
        lambda: workflow.change_priority(ticket=ticket, actor=cast.agent, priority=1),
        lambda: workflow.release(ticket=ticket, actor=cast.assigned),
    ):
        write()
        ticket.refresh_from_db()
        assert ticket.updated_at == ticket.events.latest("created_at", "pk").created_at


def test_status_events_keep_the_raw_values(cast):
    """before/after of a status change are status values, rendered in the reader's language."""
    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    event = ticket.events.latest("created_at", "pk")
    assert (event.kind, event.before, event.after) == (
        "status_changed",
        "in_progress",
        "closure_pending",
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Bob Assigned a pris en charge le ticket"),
        ("en", "Bob Assigned took the ticket"),
    ],
)
def test_describe_speaks_the_readers_language(cast, language, expected):
    """The one-line summary is rendered when read, in the reader's language."""
    ticket = ticket_in(S.IN_PROGRESS, cast)
    event = ticket.events.get(action="take")
    with translation.override(language):
        assert events.describe(event) == expected


def test_describe_covers_every_action(cast):
    """Every action has its sentence, with the people and values it names."""
    ticket = ticket_in(S.CLOSED, cast)
    workflow.reopen(ticket=ticket, actor=cast.requester, reason="Again")
    workflow.take(ticket=ticket, actor=cast.agent)
    workflow.change_priority(ticket=ticket, actor=cast.agent, priority=4)
    workflow.transfer(ticket=ticket, actor=cast.agent, category=cast.other_category)
    with translation.override("fr"):
        lines = [events.describe(event) for event in ticket.events.order_by("created_at", "pk")]
    assert lines == [
        "Bob Assigned a pris en charge le ticket",
        "Bob Assigned a demandé la clôture du ticket",
        "Rita Requester a approuvé la clôture",
        "Rita Requester a réouvert le ticket",
        "Alice Agent a pris en charge le ticket",
        "Alice Agent a changé la priorité de Normale à Urgente",
        f"Alice Agent a transféré le ticket de Réseau ({cast.service.name}) "
        f"vers Scolarité ({cast.other_service.name})",
    ]


def test_automatic_closure_has_no_actor_and_says_so(cast):
    """An expired closure is the helpdesk's act: no actor, a sentence saying it was automatic."""
    from datetime import timedelta

    ticket = ticket_in(S.CLOSURE_PENDING, cast)
    later = ticket.closure_requested_at + timedelta(days=cast.service.closure_approval_days)
    workflow.expire_closure(ticket=ticket, now=later)
    event = ticket.events.latest("created_at", "pk")
    assert (event.action, event.actor, event.after) == ("expire_closure", None, "closed")
    with translation.override("fr"):
        assert events.describe(event).startswith("Le ticket a été clos automatiquement")
    with translation.override("en"):
        assert "closed automatically" in events.describe(event)
