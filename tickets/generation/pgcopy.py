"""The PostgreSQL writer: rows as COPY text, ticket chunks made and copied by worker processes.

Django's tables, indexes and constraints stay as the migrations made them; foreign-key triggers are
skipped for the load (`session_replication_role = replica`), the rows being consistent by
construction. A chunk is one transaction: when the server restarts mid-load, the chunk is rolled
back and done again. Afterwards sequences are moved past the new ids and the tables are vacuumed
and analysed.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import time
from collections.abc import Callable
from typing import Any

from django.db import OperationalError, connection, transaction

from tickets.generation import history
from tickets.generation.world import COLUMNS, GENERATOR_VERSION, PASSWORD, TIME_COLUMNS, World

MARKER_TABLE = "bench_dataset"
NULL = "\\N"
RETRIES = 60
TABLES = (
    "accounts_user",
    "categories_service",
    "categories_category",
    "categories_servicemembership",
    "tickets_ticket",
    "tickets_attachment",
    "tickets_ticketevent",
)


def _columns(table: str) -> str:
    names = COLUMNS[table]
    return ", ".join(f'"{name}"' if name in ("before", "after") else name for name in names)


def _ts(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(epoch))


def _clean(text: str) -> str:
    """COPY text format: backslashes, tabs and line breaks escaped."""
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\r", "").replace("\n", "\\n")


def _value(value: Any, is_time: bool) -> str:
    if value is None:
        return NULL
    if is_time:
        return _ts(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return _clean(value)
    return str(value)


def _text(table: str, rows: list[tuple]) -> str:
    """Rows of any table as COPY text (the reference tables: a few thousand rows)."""
    times = [name in TIME_COLUMNS for name in COLUMNS[table]]
    lines = ["\t".join(map(_value, row, times)) for row in rows]
    return "\n".join(lines) + ("\n" if lines else "")


def world_text(world: World) -> dict[str, str]:
    """The world's reference rows as COPY text, per table."""
    return {table: _text(table, rows) for table, rows in world.rows.items()}


def chunk_text(world: World, chunk: int) -> tuple[str, str, str, int, int]:
    """COPY text for one chunk (tickets, attachments, events) and its counts; written out field
    by field: a million tickets are eight million lines."""
    rows = history.generate_chunk(world, chunk)
    tickets = [
        f"{id_}\t{_clean(subject)}\t{_clean(description)}\t{priority}\t{status}\t{_ts(created)}"
        f"\t{_ts(updated)}\t{NULL if responded is None else _ts(responded)}"
        f"\t{NULL if requested is None else _ts(requested)}"
        f"\t{NULL if closed is None else _ts(closed)}\t{_clean(resolution)}"
        f"\t{NULL if assignee is None else assignee}\t{category}\t{requester}\t{service}"
        for (
            id_,
            subject,
            description,
            priority,
            status,
            created,
            updated,
            responded,
            requested,
            closed,
            resolution,
            assignee,
            category,
            requester,
            service,
        ) in rows.tickets
    ]
    attachments = [
        f"{id_}\t{path}\t{name}\t{content_type}\t{size}\t{_ts(created)}\t{visibility}"
        f"\t{uploaded_by}\t{ticket}"
        for id_, path, name, content_type, size, created, visibility, uploaded_by, ticket in (
            rows.attachments
        )
    ]
    events = [
        f"{kind}\t{action}\t{_ts(created)}\t{visibility}\t{_clean(before)}\t{_clean(after)}"
        f"\t{_clean(text)}\t{NULL if actor is None else actor}"
        f"\t{NULL if attachment is None else attachment}\t{ticket}"
        for kind, action, created, visibility, before, after, text, actor, attachment, ticket in (
            rows.events
        )
    ]
    return (
        "\n".join(tickets) + "\n",
        "\n".join(attachments) + ("\n" if attachments else ""),
        "\n".join(events) + "\n",
        len(tickets),
        len(events),
    )


def prepare_session(cursor: Any, local: bool) -> None:
    """Bulk-load settings for this session (or transaction): no foreign-key triggers (the rows
    are consistent by construction), no waiting for the WAL flush, a large GIN pending list."""
    scope = "LOCAL " if local else ""
    cursor.execute(f"SET {scope}synchronous_commit = off")
    cursor.execute(f"SET {scope}gin_pending_list_limit = '64MB'")
    cursor.execute(f"SET {scope}session_replication_role = replica")


def copy_world(cursor: Any, world: World) -> None:
    for table, text in world_text(world).items():
        cursor.copy_expert(f"COPY {table} ({_columns(table)}) FROM STDIN", io.StringIO(text))


def copy_chunk(cursor: Any, world: World, chunk: int) -> tuple[int, int]:
    """Events first, then tickets: the tickets' search-vector trigger (enabled ALWAYS, it fires
    during the load) reads their events' text."""
    tickets, attachments, events, n_tickets, n_events = chunk_text(world, chunk)
    cursor.copy_expert(
        f"COPY tickets_ticketevent ({_columns('tickets_ticketevent')}) FROM STDIN",
        io.StringIO(events),
    )
    if attachments:
        cursor.copy_expert(
            f"COPY tickets_attachment ({_columns('tickets_attachment')}) FROM STDIN",
            io.StringIO(attachments),
        )
    cursor.copy_expert(
        f"COPY tickets_ticket ({_columns('tickets_ticket')}) FROM STDIN", io.StringIO(tickets)
    )
    return n_tickets, n_events


def write(world: World, *, jobs: int, progress: Callable[[str], None]) -> tuple[int, int]:
    """Copies the world and its tickets; returns the numbers of tickets and events. With one job
    (or one chunk, or inside a transaction) everything is one transaction of this connection."""
    chunks = range(-(-world.tickets // history.CHUNK))
    in_process = jobs <= 1 or len(chunks) <= 1 or connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        prepare_session(raw, local=True)
        copy_world(raw, world)
        progress(
            f"{len(world.rows['accounts_user'])} people, "
            f"{len(world.rows['categories_category'])} categories"
        )
        if in_process:
            totals = [copy_chunk(raw, world, chunk) for chunk in chunks]
    if not in_process:
        totals = _copy_in_processes(world, chunks, jobs, progress)
    return sum(count for count, _ in totals), sum(count for _, count in totals)


# Worker processes: one connection each, the world inherited through fork.
_WORLD: World | None = None
_DSN: dict[str, Any] = {}
_CONNECTION: Any = None


def _worker_init(dsn: dict[str, Any]) -> None:
    _DSN.update(dsn)


def _connect() -> Any:
    import psycopg2

    global _CONNECTION
    if _CONNECTION is None or _CONNECTION.closed:
        _CONNECTION = psycopg2.connect(**_DSN)
        with _CONNECTION.cursor() as cursor:
            prepare_session(cursor, local=False)
        _CONNECTION.commit()
    return _CONNECTION


def _worker_chunk(chunk: int) -> tuple[int, int]:
    import psycopg2

    global _CONNECTION
    assert _WORLD is not None  # noqa: S101 - set before the pool forks
    for attempt in range(RETRIES):
        try:
            connection = _connect()
            with connection.cursor() as cursor:
                result = copy_chunk(cursor, _WORLD, chunk)
            connection.commit()
            return result
        except psycopg2.OperationalError:
            if attempt == RETRIES - 1:
                raise
            if _CONNECTION is not None:
                _CONNECTION.close()
            _CONNECTION = None
            time.sleep(2)
    raise AssertionError("unreachable")


def _copy_in_processes(
    world: World, chunks: range, jobs: int, progress: Callable[[str], None]
) -> list[tuple[int, int]]:
    global _WORLD
    _WORLD = world
    params = connection.get_connection_params()
    connection.close()  # never share a connection with forked children
    context = multiprocessing.get_context("fork")
    totals = []
    done = 0
    with context.Pool(jobs, initializer=_worker_init, initargs=(params,)) as pool:
        for result in pool.imap_unordered(_worker_chunk, chunks):
            totals.append(result)
            done += result[0]
            if len(totals) % 10 == 0 or done == world.tickets:
                progress(f"  {done} / {world.tickets} tickets")
    return totals


def finish(world: World, *, marker: dict[str, Any], events: int, seconds: float) -> float:
    """Sequences past the new ids, vacuum and statistics, and the `bench_dataset` row that says
    what was generated; returns the seconds spent vacuuming. When the server restarts meanwhile,
    connects again and redoes these (idempotent) steps."""
    for attempt in range(RETRIES):
        try:
            return _finish(world, marker=marker, events=events, seconds=seconds)
        except OperationalError:
            if attempt == RETRIES - 1:
                raise
            connection.close()
            time.sleep(2)
    raise AssertionError("unreachable")


def _finish(world: World, *, marker: dict[str, Any], events: int, seconds: float) -> float:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        analysed = time.monotonic()
        if connection.in_atomic_block:
            cursor.execute("ANALYZE")
        else:
            # Hint bits, visibility map (index-only scans), GIN pending lists merged, stats.
            cursor.execute(
                "VACUUM (ANALYZE) accounts_user, categories_category, tickets_ticket, "
                "tickets_attachment, tickets_ticketevent"
            )
            cursor.execute("ANALYZE")
        vacuum_seconds = time.monotonic() - analysed
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (tickets integer, seed integer, "
            "requesters integer, agents integer, info jsonb, generated_at timestamptz)"
        )
        info = {
            **world.accounts,
            "generator": GENERATOR_VERSION,
            "password": PASSWORD,
            "events": events,
            "seconds": round(seconds + vacuum_seconds, 1),
        }
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s, %s, now())",  # noqa: S608
            [
                marker["tickets"],
                marker["seed"],
                marker["requesters"],
                marker["agents"],
                json.dumps(info),
            ],
        )
    return vacuum_seconds
