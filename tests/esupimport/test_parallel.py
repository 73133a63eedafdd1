"""Tickets imported by several processes at once: the helpdesk ends up exactly as one process
leaves it (the same rows, the same history in the same order, the same links to esup-helpdesk's
ids), and running it again changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from esupimport import parallel, sample
from esupimport.importer import Importer, Report
from esupimport.models import SourceLink
from esupimport.source import Source
from tickets.models import Attachment, Invitation, Ticket, TicketEvent, Watcher

# The workers read what the main process committed: no test transaction around them.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TICKET_FIELDS = [
    f.attname
    for f in Ticket._meta.concrete_fields
    if f.attname not in ("id", "search_vector") and not f.many_to_one
]


def snapshot() -> dict[str, Any]:
    """The imported helpdesk, every row named by its esup-helpdesk id or its natural key, never
    by the helpdesk's own ids (which depend on who took them from the sequence first)."""
    source_of: dict[str, dict[int, str]] = {}
    for kind, source_id, target_id in SourceLink.objects.values_list(
        "kind", "source_id", "target_id"
    ):
        source_of.setdefault(kind, {})[target_id] = source_id
    emails = dict(User.objects.values_list("pk", "email"))
    # Archived tickets and actions have ids of their own, which may be the same as others'.
    tickets = {
        target: (kind, source_id)
        for kind in ("ticket", "archived_ticket")
        for target, source_id in source_of.get(kind, {}).items()
    }
    actions = {
        target: (kind, source_id)
        for kind in ("action", "archived_action")
        for target, source_id in source_of.get(kind, {}).items()
    }
    files = source_of.get("file", {})
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, search_vector::text FROM tickets_ticket")
        vectors = dict(cursor.fetchall())
    result: dict[str, Any] = {
        "links": sorted((kind, s) for kind, ids in source_of.items() for s in ids.values()),
        "people": sorted(
            User.objects.values_list("email", "full_name", "is_active", "directory_id")
        ),
        "tickets": {},
        "files": sorted(
            (
                files.get(a.pk),
                tickets[a.ticket_id],
                a.original_name,
                a.size,
                a.visibility,
                emails.get(a.uploaded_by_id),
                a.created_at,
            )
            for a in Attachment.objects.all()
        ),
        "invitees": sorted(
            (tickets[t], emails[u]) for t, u in Invitation.objects.values_list("ticket", "user")
        ),
        "watchers": sorted(
            (tickets[t], emails[u]) for t, u in Watcher.objects.values_list("ticket", "agent")
        ),
    }
    for ticket in Ticket.objects.select_related("service", "category"):
        history = [
            (
                actions.get(e.pk),
                e.kind,
                e.action,
                emails.get(e.actor_id),
                e.created_at,
                e.visibility,
                e.before,
                e.after,
                e.text,
                files.get(e.attachment_id),
            )
            for e in ticket.events.order_by("created_at", "pk")
        ]
        result["tickets"][tickets[ticket.pk]] = {
            **{name: getattr(ticket, name) for name in TICKET_FIELDS},
            "service": ticket.service.slug,
            "category": ticket.category.slug,
            "people": [
                emails.get(pk)
                for pk in (ticket.requester_id, ticket.assignee_id, ticket.filed_by_id)
            ],
            "search": vectors[ticket.pk],
            "history": history,
        }
    return result


def counted(report: Report) -> dict[str, Any]:
    return {
        "tallies": {
            kind: (t.created, t.updated, t.unchanged, dict(t.skipped))
            for kind, t in report.tallies.items()
        },
        "unmapped": dict(report.unmapped),
        "notes": dict(report.notes),
    }


def test_two_workers_import_exactly_what_one_process_does(pg_source, monkeypatch):
    source, url = pg_source
    sample.fill(source, tickets=60, files_every=3)
    ranges: list[list] = []
    split = Source.split
    monkeypatch.setattr(
        Source, "split", lambda self, *a: ranges.append(split(self, *a)) or ranges[-1]
    )

    first = Importer(Source.open(url), workers=2, batch_size=7).run()

    assert len(ranges) == 1 and len(ranges[0]) == 2  # two workers, each its range of tickets
    imported = snapshot()
    assert len(imported["tickets"]) == 65  # and the archived ones, imported afterwards
    assert sum(len(t["history"]) for t in imported["tickets"].values()) > 200

    again = Importer(Source.open(url), workers=2, batch_size=7).run()

    assert all(t.created == 0 and t.updated == 0 for t in again.tallies.values())
    assert snapshot() == imported

    call_command("flush", interactive=False, verbosity=0)
    serial = Importer(Source.open(url), workers=1, batch_size=7).run()

    assert len(ranges) == 2  # the re-run split, the serial import did not
    assert snapshot() == imported
    assert counted(serial) == counted(first)


def test_a_worker_that_fails_stops_the_import_with_its_error(pg_source, monkeypatch):
    """The error reaches the command (which says a re-run goes on), and the batches the other
    worker committed stay imported."""
    source, url = pg_source
    sample.fill(source, tickets=30)
    real = Importer._import_ticket_batch

    def failing(self, rows, *args, **kwargs):
        if any(row["id"] == 25 for row in rows):
            raise RuntimeError("disk full")
        return real(self, rows, *args, **kwargs)

    monkeypatch.setattr(Importer, "_import_ticket_batch", failing)

    with pytest.raises(parallel.WorkerFailed, match="disk full"):
        Importer(Source.open(url), workers=2, batch_size=5).run()
    assert 0 < SourceLink.objects.filter(kind="ticket").count() < 30

    monkeypatch.setattr(Importer, "_import_ticket_batch", real)
    Importer(Source.open(url), workers=2, batch_size=5).run()

    assert SourceLink.objects.filter(kind="ticket").count() == 30
    assert Ticket.objects.count() == 35
    assert TicketEvent.objects.filter(ticket__isnull=True).count() == 0
