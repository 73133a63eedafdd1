"""Reads of the read-only pages (statistics, CSV exports, search) go to the PostgreSQL replica.

A view marked with `reads_from_replica` reads from the "replica" database alias when one is
configured (DATABASE_REPLICA_URL), answers, and is no further behind the primary than
REPLICA_MAX_LAG_SECONDS; otherwise it reads from the primary ("default"), as every other page and
every write always do. The replica's state is probed at most once per REPLICA_CHECK_SECONDS per
process, with a short connection timeout, so a replica that is down costs a request that second
at most. A replica that fails during a request is marked down and the view runs again on the
primary: a read-only view writes nothing, so running it twice is safe, and the person gets a page,
not an error.

Sessions are always read from the primary: a person who has just signed in must not look signed
out because the replica has not yet replayed their session.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
# Data whose freshness a page depends on whatever the lag: always read from the primary.
PRIMARY_ONLY_APPS = frozenset({"sessions"})

# Seconds the replica is behind the primary. A replica that has replayed everything it received is
# not behind, however old its last transaction: without writes on the primary, the time since the
# last replayed transaction grows while the data stays current. Without a WAL receiver the replica
# no longer hears from the primary: its lag is unknown (NULL), and it is not used.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN NULL
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


def replica_configured() -> bool:
    """A "replica" database alias exists (DATABASE_REPLICA_URL is set)."""
    return REPLICA in connections.settings


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary, or None when it does not answer or its lag is
    unknown (it does not stream from the primary)."""
    if not replica_configured():
        return None
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("SELECT 0")
            else:
                cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError:
        logger.warning("The replica does not answer; pages read from the primary", exc_info=True)
        close_replica_connection()
        return None
    return None if lag is None else float(lag)


def close_replica_connection() -> None:
    """Drops this thread's replica connection, so the next use opens a new one."""
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


class ReplicaHealth:
    """Whether the replica may serve reads, probed at most once per REPLICA_CHECK_SECONDS and
    shared by the threads of a process."""

    def __init__(self, probe: Callable[[], float | None] = replica_lag) -> None:
        self.probe = probe
        self.checked_at = -float("inf")
        self.usable = False
        self.lock = threading.Lock()

    def is_usable(self) -> bool:
        if time.monotonic() - self.checked_at < settings.REPLICA_CHECK_SECONDS:
            return self.usable
        with self.lock:
            if time.monotonic() - self.checked_at >= settings.REPLICA_CHECK_SECONDS:
                lag = self.probe()
                self.usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
                if lag is not None and not self.usable:
                    logger.warning("The replica is %.1f s behind; pages read from the primary", lag)
                self.checked_at = time.monotonic()
            return self.usable

    def mark_down(self) -> None:
        """The replica failed: not used until the next probe says otherwise."""
        with self.lock:
            self.usable = False
            self.checked_at = time.monotonic()


HEALTH = ReplicaHealth()


@dataclass
class ReadOnlyRequest:
    """The database a marked request reads from, chosen at its first read and kept to its end, so
    a page never mixes the replica's and the primary's data."""

    health: ReplicaHealth
    alias: str | None = None

    def read_alias(self) -> str:
        if self.alias is None:
            self.alias = REPLICA if self.health.is_usable() else PRIMARY
        return self.alias


_current: ContextVar[ReadOnlyRequest | None] = ContextVar("helpdesk_read_only", default=None)


@contextlib.contextmanager
def replica_reads(health: ReplicaHealth | None = None) -> Iterator[ReadOnlyRequest]:
    """Reads inside the block may go to the replica (see `ReplicaRouter`)."""
    state = ReadOnlyRequest(health or HEALTH)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS' entry when a replica is configured: marked reads may go to the replica;
    every write, every read outside a marked request, and migrations go to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        state = _current.get()
        if state is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return state.read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same rows: an object read from the replica may be linked to one
        # read from the primary (and is saved to the primary).
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def reads_from_replica(
    view: Callable[..., HttpResponse] | None = None,
    *,
    when: Callable[[HttpRequest], bool] | None = None,
) -> Any:
    """Marks a view that only reads: its queries may go to the replica. With `when`, only the
    requests it accepts are marked (e.g. the queue page when it searches)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not replica_configured() or (when is not None and not when(request)):
                return view(request, *args, **kwargs)
            with replica_reads() as state:
                try:
                    response = view(request, *args, **kwargs)
                except DatabaseError:
                    if state.alias != REPLICA:
                        raise
                    _replica_failed(state)
                    response = view(request, *args, **kwargs)
            if response.streaming:
                again = functools.partial(view, request, *args, **kwargs)
                response.streaming_content = _stream(state, response.streaming_content, again)
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def searching(request: HttpRequest) -> bool:
    """The request searches (a `q` in its query string)."""
    return bool(request.GET.get("q", "").strip())


def _replica_failed(state: ReadOnlyRequest) -> None:
    logger.warning("The replica failed; the request reads again from the primary", exc_info=True)
    state.health.mark_down()
    close_replica_connection()
    state.alias = PRIMARY


def _stream(
    state: ReadOnlyRequest, chunks: Iterable[bytes], again: Callable[[], HttpResponse]
) -> Iterator[bytes]:
    """A streamed response's content, read from the request's database as it is sent. Until the
    first chunk has gone out a failing replica gives way to the primary (the view runs again);
    after that the download is cut (its status line is already sent), and the next one reads from
    the primary."""
    iterator = iter(chunks)
    sent = False
    while True:
        token = _current.set(state)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except DatabaseError:
            if sent or state.alias != REPLICA:
                raise
            _replica_failed(state)
            iterator = iter(again().streaming_content)
            continue
        finally:
            _current.reset(token)
        sent = True
        yield chunk
