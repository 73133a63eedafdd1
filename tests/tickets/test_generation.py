"""tickets.generation: the benchmark's rows stay those of their GENERATOR_VERSION, and the COPY
writer and the portable writer write the same history."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Func, TextField

from accounts.models import User
from categories.models import Category
from tests.tickets.history_checks import timeline_mismatches
from tickets.generation import files, pgcopy, portable, world
from tickets.models import Attachment, Ticket, TicketEvent

NOW = 1_780_000_000.0  # a Thursday of May 2026, 20:26 UTC
# The COPY text of the first chunk of `small_world()`, per generator version.
BENCHMARK_ROWS = {2: "b5bff0377326a5f85c026e992707b741716ab8d2ab8f4ee37bb3f74f597a920c"}


def small_world(offsets: dict[str, int] | None = None) -> world.World:
    offsets = offsets or dict.fromkeys(("user", "service", "category", "membership", "ticket"), 0)
    return world.build_world(
        seed=7, tickets=500, requesters=300, agents=40, offsets=offsets, now=NOW
    )


def test_the_benchmark_rows_are_those_of_their_generator_version(monkeypatch):
    """The same seed gives the same tickets and events as when GENERATOR_VERSION last changed:
    another history needs another version (bench/run.py then generates its databases again)."""
    monkeypatch.setattr(world, "make_password", lambda password: "hash")  # salted otherwise
    tickets, attachments, events, n_tickets, _n_events = pgcopy.chunk_text(small_world(), 0)
    assert n_tickets == 500
    digest = hashlib.sha256((tickets + attachments + events).encode()).hexdigest()
    assert digest == BENCHMARK_ROWS[world.GENERATOR_VERSION]


def test_the_generator_version_is_read_before_django_is_set_up():
    """bench/run.py compares a database's version with the command's before setting Django up."""
    code = "from tickets.management.commands.generate_data import GENERATOR_VERSION as v; print(v)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == str(world.GENERATOR_VERSION), result.stderr


@pytest.mark.django_db
def test_generate_data_fills_a_database_of_any_backend():
    """COPY on PostgreSQL, bulk_create elsewhere: the same people, tree and consistent tickets."""
    call_command(
        "generate_data", tickets=120, requesters=300, agents=40, seed=7, jobs=1, stdout=StringIO()
    )
    assert User.objects.count() == 340
    assert Category.objects.count() == 147
    assert Ticket.objects.count() == 120
    assert timeline_mismatches(Ticket.objects.all()) == []
    assert Attachment.objects.count() == TicketEvent.objects.filter(action="attachment").count()
    highest = Ticket.objects.order_by("-pk").first()
    ticket = Ticket.objects.create(
        requester=highest.requester,
        category=highest.category,
        service=highest.service,
        subject="Nouveau",
        description="Nouveau ticket.",
    )
    assert ticket.pk > highest.pk


def _ticket_rows() -> list[tuple]:
    """Each ticket's columns, and the words of its search vector. The vector is the database's
    (PostgreSQL's triggers): its positions follow the order the texts arrived in, events before
    their ticket with COPY and after it with bulk_create, but its words are the same."""
    columns = [f.attname for f in Ticket._meta.concrete_fields if f.name != "search_vector"]
    words = Func("search_vector", function="strip", output_field=TextField())
    return list(Ticket.objects.order_by("pk").annotate(words=words).values_list(*columns, "words"))


def _history() -> list[list[tuple]]:
    return [
        _ticket_rows(),
        list(TicketEvent.objects.order_by("ticket_id", "created_at", "kind").values_list()),
        list(Attachment.objects.order_by("pk").values_list()),
        list(User.objects.order_by("pk").values_list("pk", "email", "full_name", "password")),
        list(Category.objects.order_by("pk").values_list()),
    ]


def _without_event_ids(rows: list[list[tuple]]) -> list[list[tuple]]:
    rows[1] = [row[1:] for row in rows[1]]
    return rows


@pytest.mark.postgres
def test_both_writers_write_the_same_history(postgres):
    """The rows the portable writer writes are those COPY writes, to the second."""
    generated = small_world(portable.offsets())
    pgcopy.write(generated, jobs=1, progress=lambda message: None)
    copied = _without_event_ids(_history())
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE tickets_ticketevent, tickets_attachment, tickets_ticket, "
            "categories_servicemembership, categories_category, categories_service, "
            "accounts_user CASCADE"
        )
        # COPY's bulk-load settings last until the end of its transaction, here the test's: the
        # portable writer runs with every trigger on, as it does on its own.
        cursor.execute("SET LOCAL session_replication_role = origin")
    portable.write(generated)
    assert _without_event_ids(_history()) == copied


def test_sample_files_are_of_their_type():
    """A PNG with its header and image data, a PDF whose cross-reference table points at its
    objects; the same seed gives the same file."""
    png = files.sample("capture.png", "image/png", seed=3)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8 : start - 4], "big")
    assert len(zlib.decompress(png[start : start + length])) == 180 * (1 + 320 * 3)
    pdf = files.sample("attestation.pdf", "application/pdf", seed=3)
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf[xref:].startswith(b"xref")
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", pdf), start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    assert files.sample("capture.png", "image/png", seed=3) == png
    with pytest.raises(ValueError):
        files.sample("photo.jpg", "image/jpeg", seed=3)
