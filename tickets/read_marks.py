"""The agents' read marks: when each last opened a ticket's page (the queues' unread markers)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tickets.models import Ticket, TicketReadMark


def mark_seen(*, user: Any, ticket: Ticket) -> None:
    """Records that the person has just opened the ticket, in one statement (an upsert)."""
    TicketReadMark.objects.bulk_create(
        [TicketReadMark(user=user, ticket=ticket, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "ticket"],
        update_fields=["seen_at"],
    )
