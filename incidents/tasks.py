"""The incident's work that does not fit in a request: taking an update to every linked ticket."""

from __future__ import annotations

from celery import shared_task

from incidents import services


@shared_task(name="incidents.tasks.reach_linked_tickets", ignore_result=True)
def reach_linked_tickets(update_id: int) -> int:
    """Each linked ticket gets the update through its own move; safe to run twice."""
    return len(services.reach_linked_tickets(update_id))


@shared_task(name="incidents.tasks.requeue_stranded_updates", ignore_result=True)
def requeue_stranded_updates() -> int:
    """Updates whose task was never queued (broker down) are queued again (beat, every minute)."""
    return services.requeue_stranded_updates()
