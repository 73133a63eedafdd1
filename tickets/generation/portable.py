"""The writer for any database Django supports (SQLite first): the same rows through bulk_create.

Rows keep the ids the generator decided; on PostgreSQL the sequences are then moved past them.
No model's `save()` runs and no signal is sent, so nothing is notified: the history happened
before today. With `files`, every attachment gets a small real file in the storage, of its type.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.color import no_style
from django.db import connection, models, transaction

from accounts.models import User
from categories.models import Category, Service, ServiceMembership
from tickets import events as ticket_events
from tickets.generation import files as sample_files
from tickets.generation import history
from tickets.generation.world import COLUMNS, TIME_COLUMNS, World
from tickets.models import Attachment, Ticket, TicketEvent

MODELS: dict[str, type[models.Model]] = {
    "accounts_user": User,
    "categories_service": Service,
    "categories_category": Category,
    "categories_servicemembership": ServiceMembership,
    "tickets_ticket": Ticket,
    "tickets_attachment": Attachment,
    "tickets_ticketevent": TicketEvent,
}
# Ids the generator numbers itself, after the highest one already used.
NUMBERED = {
    "user": User,
    "service": Service,
    "category": Category,
    "membership": ServiceMembership,
    "ticket": Ticket,
    "attachment": Attachment,
}


def offsets() -> dict[str, int]:
    """The highest id already used per numbered table (the migrations' rows, an administrator)."""
    return {
        key: model.objects.aggregate(highest=models.Max("pk"))["highest"] or 0
        for key, model in NUMBERED.items()
    }


def _moment(epoch: float) -> datetime:
    # Whole seconds, as the COPY writer stores them.
    return datetime.fromtimestamp(int(epoch), tz=UTC)


def instances(table: str, rows: list[tuple]) -> list[models.Model]:
    """Unsaved model instances for rows of `table`."""
    model = MODELS[table]
    names = COLUMNS[table]
    times = [position for position, name in enumerate(names) if name in TIME_COLUMNS]
    result = []
    for row in rows:
        values = list(row)
        for position in times:
            if values[position] is not None:
                values[position] = _moment(values[position])
        result.append(model(**dict(zip(names, values, strict=True))))
    return result


def _save_files(rows: list[tuple]) -> list[tuple]:
    """Writes a small file of the right type for each attachment row; the rows get the name the
    storage chose and the file's real size."""
    storage = Attachment._meta.get_field("file").storage
    saved = []
    for row in rows:
        id_, path, name, content_type, _size, *rest = row
        content = sample_files.sample(name, content_type, seed=id_)
        stored = storage.save(path, ContentFile(content))
        saved.append((id_, stored, name, content_type, len(content), *rest))
    return saved


def write(
    world: World, *, files: bool = False, progress: Callable[[str], None] | None = None
) -> tuple[int, int]:
    """Writes the world's rows and its tickets in one transaction; returns the numbers of
    tickets and events."""
    tickets = events = 0
    with transaction.atomic():
        for table, rows in world.rows.items():
            MODELS[table].objects.bulk_create(instances(table, rows))
        for chunk in range(-(-world.tickets // history.CHUNK)):
            rows = history.generate_chunk(world, chunk)
            attachments = _save_files(rows.attachments) if files else rows.attachments
            Ticket.objects.bulk_create(instances("tickets_ticket", rows.tickets))
            Attachment.objects.bulk_create(instances("tickets_attachment", attachments))
            ticket_events.load_history(instances("tickets_ticketevent", rows.events))
            tickets += len(rows.tickets)
            events += len(rows.events)
            if progress is not None:
                progress(f"  {tickets} / {world.tickets} tickets")
        _reset_sequences()
    return tickets, events


def _reset_sequences() -> None:
    """Rows written with their ids leave PostgreSQL's sequences behind (SQLite needs nothing)."""
    statements: list[Any] = connection.ops.sequence_reset_sql(no_style(), list(MODELS.values()))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
