"""`manage.py load_demo_articles`: a few answers per service of the demo university (run by
`make run` after `load_demo_data`; safe to run again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from knowledge import classifier, demo


class Command(BaseCommand):
    help = "Creates the demo's knowledge-base articles and trains the category classifier."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.load()
        stored = classifier.train()
        self.stdout.write(self.style.SUCCESS(f"Demo articles ready ({created} new)."))
        if stored is not None:
            accuracy = "-" if stored.top3_accuracy is None else f"{stored.top3_accuracy:.1%}"
            self.stdout.write(
                f"Category classifier trained on {stored.tickets} tickets "
                f"(top-3 accuracy on held-out tickets: {accuracy})."
            )
