"""Celery tasks: deliver outbox rows (in batches, or one for its retries), sweep overdue rows,
queue the daily digests.

The work is in notifications.services; tasks only schedule it and retry it.
"""

from __future__ import annotations

import contextlib
import logging

from celery import shared_task
from django.core import mail

from notifications import services

logger = logging.getLogger(__name__)


# The row counts its own attempts (they survive a re-queue by the sweep), so Celery's own
# retry limit is lifted: `services.deliver` marks the row failed after the last attempt.
@shared_task(bind=True, max_retries=None, ignore_result=True)
def send_notification(self, notification_id: int) -> str:
    """Sends one outbox row's email; safe to run twice; retries later on mail server errors."""
    result = services.deliver(notification_id)
    if result.outcome is services.Outcome.RETRY:
        _log_retry(notification_id, result)
        raise self.retry(countdown=result.retry_in)
    return result.outcome.value


@shared_task(bind=True, ignore_result=True)
def send_notifications(self, notification_ids: list[int]) -> int:
    """Sends a batch of rows through one mail connection; a row the mail server refuses for now
    goes on alone with `send_notification`'s retries. Returns how many were sent.

    A worker lost mid-batch leaves the unsent rows pending: the message is delivered again
    (acks late) or the sweep finds them, and `deliver` never sends a row twice.
    """
    # Retries go to the queue this batch came from, as Celery's own retries do.
    queue = (self.request.delivery_info or {}).get("routing_key")
    routing = {"queue": queue} if queue else {}
    rows = services.rows_to_send(notification_ids)
    if not rows:
        return 0  # sent, failed or gone since they were queued
    connection = mail.get_connection()
    _open(connection)
    sent = 0
    try:
        for notification_id in notification_ids:
            if notification_id not in rows:
                continue  # sent, failed or gone since it was queued
            result = services.deliver(
                notification_id, connection=connection, prepared=rows[notification_id]
            )
            if result.outcome is services.Outcome.SENT:
                sent += 1
            elif result.outcome is services.Outcome.RETRY:
                _log_retry(notification_id, result)
                send_notification.apply_async(
                    (notification_id,), countdown=result.retry_in, **routing
                )
                # The connection may be what failed: the next row gets a new one.
                connection.close()
                _open(connection)
    finally:
        connection.close()
    return sent


def _log_retry(notification_id: int, result: services.Result) -> None:
    logger.info(
        "Notification %s: %s; next try in %ss", notification_id, result.error, result.retry_in
    )


def _open(connection) -> None:
    """Opens the connection now, so that the batch's emails share it; if the server cannot be
    reached, each row's own attempt fails and is retried."""
    with contextlib.suppress(*services.TRANSIENT_ERRORS):
        connection.open()


@shared_task(ignore_result=True)
def sweep_pending_notifications() -> int:
    """Re-queues rows still pending long after they were due (lost message, dead worker)."""
    return services.sweep()


@shared_task(ignore_result=True)
def send_new_ticket_digests() -> int:
    """Queues the daily summary of new tickets for the agents who chose it."""
    return len(services.queue_digests())
