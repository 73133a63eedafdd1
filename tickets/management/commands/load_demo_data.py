"""`manage.py load_demo_data`: a university's helpdesk with months of history, to try it.

Run by `make run`. Safe to run again: what exists is left as it is (passwords of the demo
accounts are set back to the demo password) and the history is generated once
(`tickets.generation.demo`). Refuses to run with DEBUG off unless `--force` is given: the demo
passwords are public.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tickets.generation import demo
from tickets.generation.demo_corpus import ACCOUNTS, DEMO_DOMAIN

DEFAULT_PASSWORD = demo.DEFAULT_PASSWORD


class Command(BaseCommand):
    help = "Creates demo services, categories, accounts and months of tickets (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts have public passwords).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: demo accounts with public passwords are not created. "
                "Use --force on a demonstration server."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        created = demo.load(password)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new ticket(s))."))
        self.stdout.write("Demo accounts (log in with email and password):")
        for key, _name, role, _superuser, _language in ACCOUNTS:
            self.stdout.write(f"  {f'{key}@{DEMO_DOMAIN}':<32} {password}   {role}")
