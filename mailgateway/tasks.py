"""Celery task: beat reads the service mailboxes every INBOUND_POLL_SECONDS.

The work is in `mailgateway.imap` and `mailgateway.services`; the task only walks the mailboxes.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from mailgateway import imap, services
from mailgateway.models import Mailbox

logger = logging.getLogger(__name__)

# One reader per mailbox at a time: a poll slower than the interval is not read twice in parallel.
LOCK_SECONDS = 600


@shared_task(ignore_result=True)
def poll_mailboxes() -> dict[str, int]:
    """Reads every active mailbox; nothing at all when there is none. Returns the messages read
    and processed."""
    totals = {"mailboxes": 0, "read": 0, "processed": 0}
    for mailbox in Mailbox.objects.filter(is_active=True).select_related("category"):
        result = poll_one(mailbox)
        if result is not None:
            totals["mailboxes"] += 1
            totals["read"] += result.read
            totals["processed"] += result.processed
    return totals


def poll_one(mailbox: Mailbox) -> imap.PollResult | None:
    """Polls one mailbox under its lock; an error is recorded on the mailbox (the admin shows
    it) and the next mailboxes are still read."""
    key = f"mailgateway:poll:{mailbox.pk}"
    try:
        locked = cache.add(key, 1, timeout=LOCK_SECONDS)
    except Exception:  # noqa: BLE001 - without the cache, read anyway: receive() is exactly-once
        locked = None
    if locked is False:
        return None
    try:
        return imap.poll(mailbox)
    except Exception as error:  # noqa: BLE001 - one broken mailbox must not stop the others
        logger.warning("Mailbox %s could not be read: %s", mailbox.pk, error, exc_info=True)
        services.polled(mailbox, error=f"{type(error).__name__}: {error}")
        return None
    finally:
        if locked:
            cache.delete(key)
