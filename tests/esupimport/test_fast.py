"""The import's own PostgreSQL writers: a row copied with COPY reads exactly as the ORM's
`bulk_create` writes it (the path SQLite takes), ids taken ahead are never given twice, and the
planner's statistics are refreshed for the columns the import's lookups read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection

from esupimport import fast
from esupimport.models import SourceLink
from tests.factories import CategoryFactory, TicketFactory, UserFactory
from tickets import events
from tickets.models import Ticket, TicketEvent
from tickets.moves import MOVES, Move

pytestmark = [pytest.mark.postgres]


def row(instance: Any) -> dict[str, Any]:
    """Every column of a saved row but its id, as the database holds it."""
    model = type(instance)
    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(f'{c}::text' for c in columns)} "  # noqa: S608
            f"FROM {model._meta.db_table} WHERE id = %s",
            [instance.pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_a_copied_ticket_reads_as_one_the_orm_wrote(postgres):
    category = CategoryFactory()
    requester, agent = UserFactory(), UserFactory()
    values = {
        "requester": requester,
        "service": category.handling_service,
        "category": category,
        "subject": "Quota dépassé\tsur le disque \\\\serveur",
        "description": "Bonjour,\r\nmon quota est dépassé.\nMerci",
        "priority": Ticket.Priority.HIGH,
        "origin": Ticket.Origin.PHONE,
        "assignee": agent,
        "status": Ticket.Status.IN_PROGRESS,
        "created_at": datetime(2019, 3, 31, 1, 30, tzinfo=UTC),
        "updated_at": datetime(2019, 4, 2, 8, 0, 0, 250, tzinfo=UTC),
        "first_response_at": None,
        "closed_at": None,
    }
    written = Ticket.objects.bulk_create([Ticket(**values)])[0]
    [pk] = fast.reserve_ids(Ticket, 1)
    fast.copy_values(Ticket, [{"id": pk, **values}])

    assert row(Ticket(pk=pk)) == row(written)


def test_copied_events_read_as_the_ones_the_orm_wrote(postgres):
    ticket, actor = TicketFactory(), UserFactory()
    rows = [
        {
            "ticket": ticket,
            "kind": MOVES[move].kind,
            "action": move.value,
            "actor": actor if move != Move.CREATED else None,
            "created_at": datetime(2020, 10, 25, 0, 59, 59, tzinfo=UTC),
            "visibility": visibility,
            "before": "",
            "after": Ticket.Status.OPEN if move == Move.CREATED else "Marie\\Dupont",
            "text": text,
            "attachment": None,
        }
        for move, visibility, text in [
            (Move.CREATED, TicketEvent.Visibility.PUBLIC, ""),
            (Move.COMMENT, TicketEvent.Visibility.PUBLIC, "Ligne 1\nLigne\t2"),
            (Move.INTERNAL_NOTE, TicketEvent.Visibility.INTERNAL, "Note"),
        ]
    ]
    made = [events.past_event(**values) for values in rows]
    events.load_history(made)
    ids = fast.reserve_ids(TicketEvent, len(rows))
    events.load_history_rows(
        [{"id": pk, **values} for pk, values in zip(ids, rows, strict=True)], fast.copy_values
    )

    assert [row(TicketEvent(pk=pk)) for pk in ids] == [row(event) for event in made]


def test_ids_taken_ahead_are_never_given_again(postgres):
    taken = fast.reserve_ids(Ticket, 3) + fast.reserve_ids(Ticket, 2)
    created = TicketFactory()

    assert len(set(taken)) == 5
    assert created.pk not in taken
    assert created.pk > max(taken)


def test_the_statistics_of_the_lookups_columns_are_refreshed(postgres):
    fast.copy_rows(
        SourceLink._meta.db_table,
        ["kind", "source_id", "target_id"],
        [f"action\t{n}\t{n}" for n in range(500)],
    )

    fast.analyze({SourceLink: ["kind", "source_id"]})

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [SourceLink._meta.db_table]
        )
        assert cursor.fetchone()[0] == 500
        cursor.execute(
            "SELECT attname FROM pg_stats WHERE tablename = %s ORDER BY attname",
            [SourceLink._meta.db_table],
        )
        assert [name for (name,) in cursor.fetchall()] == ["kind", "source_id"]
