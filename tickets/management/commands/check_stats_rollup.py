"""`manage.py check_stats_rollup`: compares the statistics' rollup with the tickets, and repairs
it on request."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tickets import rollup

DEFAULT_DAYS = 30


class Command(BaseCommand):
    help = (
        "Computes the rolled-up days again from the tickets (the last 30 days, or --from/--until) "
        "and lists the rows that differ; --repair recomputes the days that differ. Exits with "
        "status 1 when differences remain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first_day", type=date.fromisoformat, default=None)
        parser.add_argument("--until", dest="last_day", type=date.fromisoformat, default=None)
        parser.add_argument("--repair", action="store_true", help="recompute the days that differ")

    def handle(self, *args: Any, **options: Any) -> None:
        last_day = options["last_day"] or timezone.localdate() - timedelta(days=1)
        first_day = options["first_day"] or last_day - timedelta(days=DEFAULT_DAYS - 1)
        found = rollup.differences(first_day, last_day)
        for difference in found:
            self.stdout.write(
                f"{difference.table} {difference.key}: stored {difference.stored}, "
                f"computed {difference.computed}"
            )
        days = sorted({difference.key[1] for difference in found})
        if found and options["repair"]:
            for run_first, run_last in rollup.day_runs(days):
                rollup.recompute(run_first, run_last)
            self.stdout.write(f"{len(days)} day(s) recomputed.")
            found = rollup.differences(first_day, last_day)
        if found:
            raise CommandError(f"{len(found)} row(s) of the statistics' rollup differ.")
        self.stdout.write(
            f"The statistics' rollup matches the tickets from {first_day} to {last_day}."
        )
