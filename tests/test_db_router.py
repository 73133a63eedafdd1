"""The replica router (helpdesk/db_router.py): which database each read and write goes to.

The routing rules run everywhere (the replica's state comes from a probe given to the router);
the lag reading and the fall-back of a request whose replica dies are tested on a real streaming
replica: a private PostgreSQL primary and a pg_basebackup copy of it, on loopback ports.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from helpdesk import db_router
from tests.production_env import settings_values
from tests.reliability import harness
from tests.reliability.topology import PostgresServer, require_private_postgresql
from tests.support import free_ports, wait_until
from tickets.models import Ticket


class Probe:
    """The replica's lag as the test sets it, and how many times the router asked."""

    def __init__(self, lag: float | None = 0.0) -> None:
        self.lag = lag
        self.calls = 0

    def __call__(self) -> float | None:
        self.calls += 1
        return self.lag


def read_alias(health: db_router.ReplicaHealth, model: type = Ticket) -> str:
    with db_router.replica_reads(health):
        return db_router.ReplicaRouter().db_for_read(model)


@pytest.fixture(autouse=True)
def _probe_every_time(settings):
    settings.REPLICA_MAX_LAG_SECONDS = 5
    settings.REPLICA_CHECK_SECONDS = 0


# --- Routing -------------------------------------------------------------------------------


def test_reads_outside_a_marked_page_go_to_the_primary():
    assert db_router.ReplicaRouter().db_for_read(Ticket) == db_router.PRIMARY


def test_a_marked_page_reads_from_a_replica_that_is_up_to_date():
    assert read_alias(db_router.ReplicaHealth(Probe(0.0))) == db_router.REPLICA


def test_writes_go_to_the_primary_even_on_a_marked_page():
    with db_router.replica_reads(db_router.ReplicaHealth(Probe(0.0))):
        assert db_router.ReplicaRouter().db_for_write(Ticket) == db_router.PRIMARY


def test_sessions_are_read_from_the_primary_even_on_a_marked_page():
    """A person who has just signed in is not signed out by a replica that lags."""
    assert read_alias(db_router.ReplicaHealth(Probe(0.0)), Session) == db_router.PRIMARY


@pytest.mark.parametrize("lag", [5.5, 60.0, None], ids=["behind", "far-behind", "unknown"])
def test_a_replica_behind_or_unreachable_gives_way_to_the_primary(lag):
    assert read_alias(db_router.ReplicaHealth(Probe(lag))) == db_router.PRIMARY


def test_a_replica_within_the_allowed_lag_is_used():
    assert read_alias(db_router.ReplicaHealth(Probe(5.0))) == db_router.REPLICA


def test_a_request_keeps_the_database_it_started_reading_from():
    """A page never mixes the replica's rows and the primary's."""
    probe = Probe(0.0)
    health = db_router.ReplicaHealth(probe)
    router = db_router.ReplicaRouter()
    with db_router.replica_reads(health):
        assert router.db_for_read(Ticket) == db_router.REPLICA
        probe.lag = None
        assert router.db_for_read(Ticket) == db_router.REPLICA
    assert read_alias(health) == db_router.PRIMARY


def test_the_replica_is_probed_once_per_check_interval(settings):
    settings.REPLICA_CHECK_SECONDS = 60
    probe = Probe(0.0)
    health = db_router.ReplicaHealth(probe)
    for _ in range(5):
        assert read_alias(health) == db_router.REPLICA
    assert probe.calls == 1


def test_a_replica_marked_down_is_not_used_until_the_next_probe(settings):
    settings.REPLICA_CHECK_SECONDS = 60
    probe = Probe(0.0)
    health = db_router.ReplicaHealth(probe)
    assert read_alias(health) == db_router.REPLICA
    health.mark_down()
    assert read_alias(health) == db_router.PRIMARY
    settings.REPLICA_CHECK_SECONDS = 0
    assert read_alias(health) == db_router.REPLICA


def test_migrations_run_on_the_primary_only():
    router = db_router.ReplicaRouter()
    assert router.allow_migrate(db_router.PRIMARY, "tickets")
    assert not router.allow_migrate(db_router.REPLICA, "tickets")
    assert router.allow_relation(object(), object())


def test_without_a_replica_marked_views_read_from_the_primary():
    """No DATABASE_REPLICA_URL: the marker changes nothing (no probe, no state)."""
    seen = []

    @db_router.reads_from_replica
    def view(request):
        seen.append(db_router.ReplicaRouter().db_for_read(Ticket))
        return HttpResponse()

    view(RequestFactory().get("/desk/stats/"))
    assert seen == [db_router.PRIMARY]
    assert db_router.replica_lag() is None


def test_the_queue_is_marked_only_when_it_searches():
    factory = RequestFactory()
    assert db_router.searching(factory.get("/desk/queue/", {"q": "imprimante"}))
    assert not db_router.searching(factory.get("/desk/queue/", {"q": "  "}))
    assert not db_router.searching(factory.get("/desk/queue/"))


# --- Settings -------------------------------------------------------------------------------


def test_a_replica_url_adds_the_replica_and_its_router():
    values = settings_values(
        {"DATABASE_REPLICA_URL": "postgres://helpdesk@db-replica:5432/helpdesk"},
        ["DATABASES", "DATABASE_ROUTERS"],
    )
    replica = values["DATABASES"]["replica"]
    assert replica["HOST"] == "db-replica"
    assert replica["OPTIONS"]["connect_timeout"] <= 2
    assert replica["TEST"] == {"MIRROR": "default"}
    assert values["DATABASE_ROUTERS"] == ["helpdesk.db_router.ReplicaRouter"]


def test_without_a_replica_url_there_is_no_router():
    values = settings_values({}, ["DATABASES", "DATABASE_ROUTERS"])
    assert list(values["DATABASES"]) == ["default"]
    assert values["DATABASE_ROUTERS"] is None


def test_behind_pgbouncer_nothing_outlives_a_transaction():
    """Transaction pooling: no server-side cursor, no startup option PgBouncer would refuse."""
    values = settings_values(
        {
            "DATABASE_URL": "postgres://helpdesk@pgbouncer:6432/helpdesk",
            "DATABASE_POOLER": "pgbouncer",
        },
        ["DATABASES"],
    )
    default = values["DATABASES"]["default"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "options" not in default.get("OPTIONS", {})


# --- A real streaming replica ------------------------------------------------------------------


class Replication:
    def __init__(self, workdir: Path) -> None:
        binaries = require_private_postgresql()
        primary_port, replica_port = free_ports(2)
        self.primary = PostgresServer(workdir, "primary", primary_port, binaries)
        self.replica = PostgresServer(workdir, "replica", replica_port, binaries)

    def start(self) -> None:
        self.primary.init()
        self.primary.start()
        with harness.database(self.primary.url("postgres")) as cursor:
            cursor.execute("CREATE DATABASE helpdesk")
        with harness.database(self.primary.url()) as cursor:
            cursor.execute("CREATE TABLE notes (id serial PRIMARY KEY, text text)")
        self.replica.clone(self.primary)
        self.replica.start()
        assert wait_until(self.caught_up, 20)

    def stop(self) -> None:
        self.replica.stop("immediate")
        self.primary.stop("immediate")

    def write(self) -> None:
        with harness.database(self.primary.url()) as cursor:
            cursor.execute("INSERT INTO notes (text) VALUES ('note')")

    def lag(self) -> float | None:
        (lag,) = harness.query(self.replica.url(), db_router.LAG_SQL)[0]
        return None if lag is None else float(lag)

    def caught_up(self) -> bool:
        (lsn,) = harness.query(self.primary.url(), "SELECT pg_current_wal_lsn()::text")[0]
        query = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
        return bool(harness.query(self.replica.url(), query, (lsn,))[0][0])


@pytest.fixture(scope="module")
def replication() -> Iterator[Replication]:
    workdir = Path(tempfile.mkdtemp(prefix="helpdesk-replication-"))
    workdir.chmod(0o711)  # noqa: S103 - the postgres user reaches its folders
    replication = Replication(workdir)
    try:
        replication.start()
        yield replication
    finally:
        replication.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def replica_alias(replication, django_db_blocker) -> Iterator[str]:
    """The "replica" database alias of this process, pointing to the real replica. The tests
    using it touch no other database: the primary's reads are not what they check."""
    config = dj_database_url.parse(replication.replica.url())
    config["OPTIONS"] = {"connect_timeout": 1}
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: {}, "replica": config})
    connections.settings[db_router.REPLICA] = configured[db_router.REPLICA]
    django_db_blocker.unblock()
    try:
        yield db_router.REPLICA
    finally:
        django_db_blocker.restore()
        connections[db_router.REPLICA].close()
        del connections[db_router.REPLICA]
        del connections.settings[db_router.REPLICA]


def test_a_replica_without_new_writes_is_not_lagging(replication):
    """Its last replayed transaction gets old while nothing is written: it is still current."""
    replication.write()
    assert wait_until(replication.caught_up, 20)
    time.sleep(1.5)
    (age,) = harness.query(
        replication.replica.url(),
        "SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())",
    )[0]
    assert float(age) > 1
    assert replication.lag() == 0


def test_a_replica_that_does_not_replay_is_lagging(replication):
    with harness.database(replication.replica.url()) as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        replication.write()
        time.sleep(1.5)
        replication.write()
        assert wait_until(lambda: (replication.lag() or 0) > 1, 10)
    finally:
        with harness.database(replication.replica.url()) as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    assert wait_until(lambda: replication.lag() == 0, 20)


def test_the_probe_reads_the_real_replica(replica_alias):
    assert db_router.replica_lag() == 0


def test_a_replica_dying_mid_request_gives_way_to_the_primary(
    replication, replica_alias, monkeypatch
):
    """The view's first read is served by the replica, which then crashes: the request reads again
    from the primary and answers, and the next requests skip the replica."""
    monkeypatch.setattr(db_router, "HEALTH", db_router.ReplicaHealth())
    served_by = []

    @db_router.reads_from_replica
    def view(request):
        alias = db_router.ReplicaRouter().db_for_read(Ticket)
        if alias == db_router.REPLICA:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                if replication.replica.running():
                    replication.replica.stop("immediate")
                cursor.execute("SELECT 1")
        served_by.append(alias)
        return HttpResponse(alias)

    try:
        response = view(RequestFactory().get("/desk/stats/"))
        assert not replication.replica.running(), "the view never read from the replica"
        assert response.status_code == 200
        assert served_by == [db_router.PRIMARY]
        assert not db_router.HEALTH.is_usable()
        assert view(RequestFactory().get("/desk/stats/")).content == b"default"
    finally:
        if not replication.replica.running():
            replication.replica.start()
        assert wait_until(replication.caught_up, 30)


def test_the_queue_reads_from_the_replica_only_when_it_searches(replica_alias, monkeypatch):
    monkeypatch.setattr(db_router, "HEALTH", db_router.ReplicaHealth())

    @db_router.reads_from_replica(when=db_router.searching)
    def view(request):
        return HttpResponse(db_router.ReplicaRouter().db_for_read(Ticket))

    factory = RequestFactory()
    assert view(factory.get("/desk/queue/", {"q": "imprimante"})).content == b"replica"
    assert view(factory.get("/desk/queue/")).content == b"default"


def test_a_replica_dying_before_an_export_streams_gives_way_to_the_primary(
    replication, replica_alias, monkeypatch
):
    """A streamed export reads as it is sent: a replica failing before its first line makes the
    view run again on the primary, and the download is whole."""
    monkeypatch.setattr(db_router, "HEALTH", db_router.ReplicaHealth())

    def rows():
        alias = db_router.ReplicaRouter().db_for_read(Ticket)
        if alias == db_router.REPLICA:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                replication.replica.stop("immediate")
                cursor.execute("SELECT 1")
        yield alias.encode()

    @db_router.reads_from_replica
    def view(request):
        return StreamingHttpResponse(rows())

    try:
        response = view(RequestFactory().get("/desk/queue/export/"))
        assert b"".join(response.streaming_content) == b"default"
        assert not replication.replica.running(), "the export never read from the replica"
    finally:
        if not replication.replica.running():
            replication.replica.start()
        assert wait_until(replication.caught_up, 30)


def test_a_replica_whose_primary_is_gone_has_an_unknown_lag(replication):
    """Without its WAL receiver the replica no longer hears of new writes: not to be trusted."""
    replication.primary.stop("immediate")
    assert wait_until(lambda: replication.lag() is None, 20)
