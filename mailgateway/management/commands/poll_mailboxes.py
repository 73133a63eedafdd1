"""`manage.py poll_mailboxes`: reads the service mailboxes once (cron, development)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mailgateway import tasks


class Command(BaseCommand):
    help = "Reads the active service mailboxes once and applies their new messages."

    def handle(self, *args, **options) -> None:
        totals = tasks.poll_mailboxes()
        self.stdout.write(
            f"{totals['mailboxes']} mailbox(es) read, {totals['read']} message(s), "
            f"{totals['processed']} processed."
        )
