"""Reads about the outbox for the people who run the service: the admin's index and monitoring."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone

from notifications.models import Notification


@dataclass(frozen=True)
class OutboxHealth:
    pending: int
    oldest_pending_seconds: int
    failed_last_hour: int


def outbox_health() -> OutboxHealth:
    """The backlog, the age of its oldest email and the emails given up in the last hour, in one
    query.

    A failed row keeps the due time of its last attempt (the attempt that failed), which stands
    for the time it failed.
    """
    now = timezone.now()
    hour_ago = now - datetime.timedelta(hours=1)
    pending = Q(status=Notification.Status.PENDING)
    failed = Q(status=Notification.Status.FAILED, due_at__gte=hour_ago)
    figures = Notification.objects.filter(pending | failed).aggregate(
        pending=Count("pk", filter=pending),
        oldest=Min("created_at", filter=pending),
        failed=Count("pk", filter=failed),
    )
    oldest = figures["oldest"]
    return OutboxHealth(
        pending=figures["pending"],
        oldest_pending_seconds=max(0, int((now - oldest).total_seconds())) if oldest else 0,
        failed_last_hour=figures["failed"],
    )
