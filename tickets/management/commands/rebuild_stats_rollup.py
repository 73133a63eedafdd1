"""`manage.py rebuild_stats_rollup`: fills the statistics' rollup from the tickets' history."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tickets import rollup


class Command(BaseCommand):
    help = (
        "Computes the statistics' daily rollup from the tickets and their timeline, from the "
        "first ticket (or --from) to yesterday (or --until). Run it once after installing or "
        "importing history; Celery beat keeps the last days up to date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first_day", type=date.fromisoformat, default=None)
        parser.add_argument("--until", dest="last_day", type=date.fromisoformat, default=None)
        parser.add_argument(
            "--missing", action="store_true", help="only the days not rolled up yet"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        runs = rollup.rebuild(
            options["first_day"], options["last_day"], missing_only=options["missing"]
        )
        if options["verbosity"] < 1:
            return
        if not runs:
            self.stdout.write("Nothing to roll up.")
        for first_day, last_day in runs:
            self.stdout.write(f"Statistics rolled up from {first_day} to {last_day}.")
