"""How fast `manage.py import_esup_helpdesk` moves an esup-helpdesk history in, on PostgreSQL.

    .venv/bin/python bench/esup_import.py --tickets 100000 [--workers 2] [--server postgres://…]

Builds an esup-helpdesk database (esup-helpdesk's tables, `esupimport.sample`'s history: about
4.3 actions and 0.3 files per ticket) and an empty helpdesk database beside it on the same
server, imports (with `--workers` processes for the tickets: the command's default), then imports
again (nothing to change), and prints both times, the rates, the CPU time the import's processes
used and the machine's load average. Both databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="default: the command's")
    arguments = parser.parse_args()

    import psycopg2

    admin = psycopg2.connect(dbname="postgres", host="127.0.0.1", user="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in ("esup_bench_source", "esup_bench_helpdesk"):
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {name}")
    source_url = f"{arguments.server}/esup_bench_source"
    env = {**os.environ, "DATABASE_URL": f"{arguments.server}/esup_bench_helpdesk"}
    env.pop("DATABASE_REPLICA_URL", None)
    try:
        from esupimport import sample
        from esupimport.source import Source

        started = time.monotonic()
        source = Source.open(source_url, writable=True)
        source.create_schema()
        written = sample.fill(source, tickets=arguments.tickets, archived=0, files_every=10)
        source.close()
        print(
            f"source: {written.tickets} tickets, {written.actions} actions, {written.files} files "
            f"written in {time.monotonic() - started:.1f} s"
        )
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v", "0"], check=True, env=env)  # noqa: S603
        workers = [] if arguments.workers is None else ["--workers", str(arguments.workers)]
        for label in ("first import", "second import (nothing changes)"):
            print(f"load average before: {os.getloadavg()[0]:.2f}")
            started = time.monotonic()
            cpu = os.times()
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
            python = (used.children_user - cpu.children_user) + (
                used.children_system - cpu.children_system
            )
            print(
                f"{label}: {took:.1f} s, {written.tickets / took:,.0f} tickets/s, "
                f"{(written.tickets + written.actions) / took:,.0f} rows/s (tickets and actions); "
                f"importer CPU {python:.1f} s; load average after: {os.getloadavg()[0]:.2f}"
            )
    finally:
        with admin.cursor() as cursor:
            for name in ("esup_bench_source", "esup_bench_helpdesk"):
                cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    main()
