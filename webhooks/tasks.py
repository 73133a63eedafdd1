"""Celery tasks of the webhooks: deliver one row (retrying with back-off), sweep lost rows."""

from __future__ import annotations

from celery import shared_task

from webhooks import services


# The row counts its own attempts: Celery's retry limit is lifted, `services.deliver` fails the
# row after the last one.
@shared_task(bind=True, max_retries=None, ignore_result=True)
def deliver_webhook(self, delivery_id: int) -> str:
    """Posts one delivery; safe to run twice; tried again later on a transient failure."""
    result = services.deliver(delivery_id)
    if result.outcome == "retry" and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(ignore_result=True)
def sweep_webhook_deliveries() -> int:
    return services.sweep()
