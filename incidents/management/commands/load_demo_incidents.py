"""`manage.py load_demo_incidents`: the demo's past and ongoing incidents (run by `make run`
after `load_demo_data`; safe to run again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from incidents import demo


class Command(BaseCommand):
    help = "Creates the demo's known incidents: one resolved, one ongoing."

    def handle(self, *args: Any, **options: Any) -> None:
        written = demo.load()
        self.stdout.write(self.style.SUCCESS(f"Demo incidents ready ({written} new)."))
