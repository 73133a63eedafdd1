"""Celery tasks: deliver one outbox row, sweep overdue rows, queue the daily digests.

The work is in notifications.services; tasks only schedule it and retry it.
"""

from __future__ import annotations

import logging

from celery import shared_task

from notifications import services

logger = logging.getLogger(__name__)


# The row counts its own attempts (they survive a re-queue by the sweep), so Celery's own
# retry limit is lifted: `services.deliver` marks the row failed after the last attempt.
@shared_task(bind=True, max_retries=None, ignore_result=True)
def send_notification(self, notification_id: int) -> str:
    """Sends one outbox row's email; safe to run twice; retries later on mail server errors."""
    result = services.deliver(notification_id)
    if result.outcome is services.Outcome.RETRY:
        logger.info(
            "Notification %s: %s; next try in %ss", notification_id, result.error, result.retry_in
        )
        raise self.retry(countdown=result.retry_in)
    return result.outcome.value


@shared_task(ignore_result=True)
def sweep_pending_notifications() -> int:
    """Re-queues rows still pending long after they were due (lost message, dead worker)."""
    return services.sweep()


@shared_task(ignore_result=True)
def send_new_ticket_digests() -> int:
    """Queues the daily summary of new tickets for the agents who chose it."""
    return len(services.queue_digests())
