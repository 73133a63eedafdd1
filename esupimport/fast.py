"""Writing a batch of new rows with PostgreSQL's COPY instead of INSERT statements.

Ids are taken from the tables' sequences first, so the rows can name each other before they are
written. Django's foreign keys on PostgreSQL are checked at commit (DEFERRABLE INITIALLY
DEFERRED), which lets a batch write a ticket's events before the ticket: the ticket's search
trigger then reads every event text once, instead of each event's trigger updating its ticket.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from esupimport.models import SourceLink

SKIPPED_COLUMNS = {"search_vector"}  # written by the tables' own triggers
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def available() -> bool:
    return connection.vendor == "postgresql"


_SEQUENCES: dict[tuple[str, str], str] = {}


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # The sequence's name is looked up once per table and connection, and passed as a
        # constant: `nextval(pg_get_serial_sequence(...))` looked it up again for each id.
        key = (connection.settings_dict["NAME"], table)
        sequence = _SEQUENCES.get(key)
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = _SEQUENCES[key] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _text(value: Any) -> str:
    """A Python value in COPY's text format: the types the import writes are spelled directly,
    anything else as its text."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_ESCAPES)
        return value
    if value is None:
        return "\\N"
    if kind is datetime:
        return value.isoformat()
    if kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, models.Choices):
        # A status, a kind, a priority: spelled as their value (what `str` gives), read
        # without `str`'s detour through the enum's properties.
        return _text(value._value_)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return escape(str(value))


def escape(text: str) -> str:
    """A value in COPY's text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_ESCAPES)
    return text


# Fields whose Python values `_text` spells as PostgreSQL reads them; others go through the
# field's own conversion for the database first.
_DIRECT = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _copied_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.column not in SKIPPED_COLUMNS]


def copy(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """COPY the objects (their primary keys already set) into the model's table."""
    if not objects:
        return
    db = connections[DEFAULT_DB_ALIAS]
    fields = _copied_fields(model)
    getters = [
        (f.attname, None if f.get_internal_type() in _DIRECT else f.get_db_prep_save)
        for f in fields
    ]
    lines = [
        "\t".join(
            _text(getattr(obj, name) if prepare is None else prepare(getattr(obj, name), db))
            for name, prepare in getters
        )
        for obj in objects
    ]
    copy_rows(model._meta.db_table, [field.column for field in fields], lines)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = db.alias


_MISSING = object()


def copy_values(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """COPY rows given as {field name: value} (related objects or their keys; a missing field
    takes its default) into the model's table, without making model instances."""
    if not rows:
        return
    fields = _copied_fields(model)
    # For each column: the row's key for it, the key of its raw value (a relation's id), and
    # its default: the text of a constant one, or what makes it for each row.
    plan = [
        (f.name, f.attname, f.many_to_one, None, f.get_default)
        if f.has_default() and callable(f.default)
        else (f.name, f.attname, f.many_to_one, _text(f.get_default()), None)
        for f in fields
    ]
    text = _text
    lines = []
    for row in rows:
        values = []
        for name, attname, related, default, make_default in plan:
            value = row.get(name, _MISSING)
            if value is _MISSING:
                value = row.get(attname, _MISSING)
                if value is _MISSING:
                    values.append(default if make_default is None else text(make_default()))
                    continue
            elif related and value is not None:
                value = value.pk
            values.append(text(value))
        lines.append("\t".join(values))
    copy_rows(model._meta.db_table, [field.column for field in fields], lines)


def copy_rows(table: str, columns: Sequence[str], lines: Sequence[str]) -> None:
    """COPY lines already in COPY's text format (tab-separated, escaped) into `table`."""
    db = connections[DEFAULT_DB_ALIAS]
    quoted = ", ".join(db.ops.quote_name(column) for column in columns)
    buffer = io.StringIO("\n".join(lines) + "\n")
    with db.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {db.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)


def create(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Gives the objects ids and writes them: COPY on PostgreSQL, bulk_create elsewhere."""
    if not available():
        model.objects.bulk_create(objects)
        return
    for obj, pk in zip(objects, reserve_ids(model, len(objects)), strict=True):
        obj.pk = pk
    copy(model, objects)


def links(kind: str, source_ids: Sequence[str]) -> dict[str, int]:
    """The import's links of one kind for these source ids, in one query whatever their number
    (the ORM's `__in` prepares each of the thousands of values in Python)."""
    if not source_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT source_id, target_id FROM {SourceLink._meta.db_table} "  # noqa: S608
            "WHERE kind = %s AND source_id = ANY(%s)",
            [kind, list(source_ids)],
        )
        return dict(cursor.fetchall())


def analyze(columns: dict[type[models.Model], Sequence[str]]) -> None:
    """Fresh planner statistics for tables a load is filling: the tables' triggers keep the
    plans they made when the tables were empty (a scan of the whole table) until then.

    Only the columns the load's lookups read are analyzed (with the tables' sizes): the
    statistics of a search vector or a message text cost more than all the rest, and no
    lookup of the load needs them. A partial ANALYZE leaves autovacuum's count of changed
    rows as it was, so the tables are analyzed in full after the load as after any other."""
    if not available():
        return
    db = connections[DEFAULT_DB_ALIAS]
    quote = db.ops.quote_name
    tables = ", ".join(
        f"{quote(model._meta.db_table)} ({', '.join(quote(column) for column in names)})"
        for model, names in columns.items()
    )
    with db.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
