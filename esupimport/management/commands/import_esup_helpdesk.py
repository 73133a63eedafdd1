"""`manage.py import_esup_helpdesk postgres://…/esup` (or mysql://…): see README, "Migrating from
esup-helpdesk"."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from esupimport.importer import Importer
from esupimport.parallel import WorkerFailed
from esupimport.source import Source, SourceError


class Command(BaseCommand):
    help = (
        "Imports an esup-helpdesk database (departments, categories, people, tickets with their "
        "history and files, invitations, monitoring, responses, FAQ). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("database_url", help="postgres://user:pass@host:port/name or mysql://…")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read everything, write nothing, and print what would change.",
        )
        parser.add_argument(
            "--files-dir",
            type=Path,
            help="Where esup-helpdesk stored file contents outside the database (one file per id).",
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help=(
                "Processes importing tickets at once, each its own range of ticket ids "
                "(PostgreSQL helpdesk only; default: 2, or 1 on a single core)."
            ),
        )
        parser.add_argument(
            "--source-timezone",
            help="The time zone of esup-helpdesk's dates (default: the helpdesk's TIME_ZONE).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source = Source.open(options["database_url"])
        except SourceError as error:
            raise CommandError(str(error)) from error
        started = time.monotonic()
        interactive = sys.stderr.isatty()
        last: dict[str, float] = {}

        def progress(step: str, done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - last.get(step, 0) < (0.2 if interactive else 5):
                return
            last[step] = now
            width = 30
            filled = width * done // total if total else width
            bar = "#" * filled + "-" * (width - filled)
            end = "\r" if interactive and done < total else "\n"
            self.stderr.write(f"{step:<18}[{bar}] {done}/{total}", ending=end)

        importer = Importer(
            source,
            dry_run=options["dry_run"],
            files_dir=options["files_dir"],
            batch_size=options["batch_size"],
            source_timezone=options["source_timezone"],
            progress=progress,
            workers=max(1, options["workers"]),
        )
        try:
            report = importer.run()
        except (SourceError, WorkerFailed) as error:
            raise CommandError(
                f"{error} (every batch before this one is saved: run the command again to go on)"
            ) from error
        finally:
            source.close()
        took = time.monotonic() - started
        title = (
            "Dry run: nothing was written. It would do this:" if options["dry_run"] else "Imported:"
        )
        self.stdout.write(title)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"in {took:.1f} s")
