"""How fast `manage.py import_esup_helpdesk` moves an esup-helpdesk history in, on PostgreSQL.

    .venv/bin/python bench/esup_import.py --tickets 100000 [--workers 2] [--server postgres://…]
        [--keep-source] [--once]

Builds an esup-helpdesk database (esup-helpdesk's tables, `esupimport.sample`'s history: about
4.3 actions and 0.2 files per ticket) and an empty helpdesk database beside it on the same
server, imports (with `--workers` processes for the tickets: the command's default), then imports
again (nothing to change), and prints both times, the rates, the CPU time the import's processes
used, the CPU time of the PostgreSQL server processes serving the helpdesk database and the
source database, and the machine's load average. Both databases, and the files the import
wrote (to a temporary MEDIA_ROOT), are removed at the end.

The server's CPU time is read from `/proc` (the server must run on this machine): the processes
serving each database are found in `pg_stat_activity` ten times a second and each one's last
reading counts, so a process that ends between two readings loses at most a tenth of a second.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class ServerCPU:
    """The CPU seconds (user + system) the server processes of some databases use while it
    runs, by database."""

    def __init__(self, databases: tuple[str, ...]) -> None:
        import psycopg2

        self.databases = databases
        self.connection = psycopg2.connect(dbname="postgres", host="127.0.0.1", user="postgres")
        self.connection.autocommit = True
        self.seen: dict[int, tuple[str, float]] = {}
        self.stopping = threading.Event()
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _read(self, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.ticks

    def _sample(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, datname FROM pg_stat_activity "
                "WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
                [list(self.databases)],
            )
            for pid, name in cursor.fetchall():
                used = self._read(pid)
                if used is not None:
                    self.seen[pid] = (name, used)

    def _watch(self) -> None:
        while not self.stopping.wait(0.1):
            self._sample()

    def __enter__(self) -> ServerCPU:
        self._sample()
        self.start = {pid: used for pid, (_name, used) in self.seen.items()}
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()
        self._sample()
        self.connection.close()

    def used(self, database: str) -> float:
        return sum(
            used - self.start.get(pid, 0.0)
            for pid, (name, used) in self.seen.items()
            if name == database
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="default: the command's")
    parser.add_argument(
        "--keep-source",
        action="store_true",
        help="keep the source database at the end, and use the one kept by an earlier run "
        "when it holds as many tickets (runs compared on the same source)",
    )
    parser.add_argument("--once", action="store_true", help="the first import only")
    arguments = parser.parse_args()

    import psycopg2

    from esupimport import sample
    from esupimport.source import Source

    admin = psycopg2.connect(dbname="postgres", host="127.0.0.1", user="postgres")
    admin.autocommit = True
    source_url = f"{arguments.server}/esup_bench_source"
    written = _kept_source(admin, source_url, arguments.tickets) if arguments.keep_source else None
    with admin.cursor() as cursor:
        names = ["esup_bench_helpdesk"] if written else ["esup_bench_source", "esup_bench_helpdesk"]
        for name in names:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {name}")
    # The imported files go to a directory of their own, removed at the end.
    media = tempfile.mkdtemp(prefix="esup-bench-media-")
    env = {
        **os.environ,
        "DATABASE_URL": f"{arguments.server}/esup_bench_helpdesk",
        "MEDIA_ROOT": media,
    }
    env.pop("DATABASE_REPLICA_URL", None)
    try:
        if written is None:
            started = time.monotonic()
            source = Source.open(source_url, writable=True)
            source.create_schema()
            written = sample.fill(source, tickets=arguments.tickets, archived=0, files_every=10)
            # A university's server has statistics on its tables; a database just written has
            # none until autovacuum comes by, and the import's reads would be planned blind.
            with source.connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            source.close()
            took = f"written in {time.monotonic() - started:.1f} s"
        else:
            took = "kept from an earlier run"
        print(
            f"source: {written.tickets} tickets, {written.actions} actions, {written.files} files "
            f"{took}"
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v", "0"], check=True, env=env)  # noqa: S603
        workers = [] if arguments.workers is None else ["--workers", str(arguments.workers)]
        labels = ["first import", "second import (nothing changes)"]
        for label in labels[:1] if arguments.once else labels:
            print(f"load average before: {os.getloadavg()[0]:.2f}")
            started = time.monotonic()
            cpu = os.times()
            with ServerCPU(("esup_bench_helpdesk", "esup_bench_source")) as server:
                subprocess.run(  # noqa: S603
                    [
                        *manage,
                        "import_esup_helpdesk",
                        source_url,
                        "--batch-size",
                        str(arguments.batch_size),
                        *workers,
                    ],
                    check=True,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            took = time.monotonic() - started
            used = os.times()
            user = used.children_user - cpu.children_user
            system = used.children_system - cpu.children_system
            python = user + system
            print(
                f"{label}: {took:.1f} s, {written.tickets / took:,.0f} tickets/s, "
                f"{(written.tickets + written.actions) / took:,.0f} rows/s (tickets and actions); "
                f"importer CPU {python:.1f} s (user {user:.1f} s, system {system:.1f} s: "
                "mostly writing the files); PostgreSQL CPU "
                f"{server.used('esup_bench_helpdesk'):.1f} s (helpdesk database), "
                f"{server.used('esup_bench_source'):.1f} s (source); "
                f"load average after: {os.getloadavg()[0]:.2f}"
            )
    finally:
        shutil.rmtree(media, ignore_errors=True)
        with admin.cursor() as cursor:
            names = ["esup_bench_helpdesk"]
            if not arguments.keep_source:
                names.append("esup_bench_source")
            for name in names:
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def _kept_source(admin: Any, url: str, tickets: int) -> Any:
    """What the source database kept by an earlier run holds, if it holds `tickets` tickets."""
    from esupimport.source import Source, SourceError

    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'esup_bench_source'")
        if cursor.fetchone() is None:
            return None
    try:
        source = Source.open(url)
    except SourceError:
        return None
    try:
        counts = [source.count(t) for t in ("h_tick", "h_acti", "h_file_info")]
    finally:
        source.close()
    if counts[0] != tickets:
        return None
    return SimpleNamespace(tickets=counts[0], actions=counts[1], files=counts[2])


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    main()
