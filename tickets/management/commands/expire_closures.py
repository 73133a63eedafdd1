"""`manage.py expire_closures`: the hourly closure sweep, for sites that run cron, not Celery."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tickets import workflow


class Command(BaseCommand):
    help = (
        "Closes tickets whose closure request went unanswered longer than their service's "
        "approval delay."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = workflow.expire_overdue_closures()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{closed} ticket(s) closed automatically.")
