"""Reads of the API that answer in plain rows: "my tickets" is the call a portal makes on every
page view, so it reads only the columns it sends (`values()`, category and service joined, one
query a page) and builds its JSON without a serializer per row. `ticket_rows` gives exactly what
`api.serializers.TicketRowSerializer` gives (tests/api/test_rows.py holds them together), and that
serializer still describes the rows in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from rest_framework import serializers

from tickets.models import Ticket

ROW_FIELDS = ("id", "subject", "status", "priority", "created_at", "updated_at")
# The id that stands for each row's id in the address built once per page.
_PLACEHOLDER = 987654321
_DATETIME = serializers.DateTimeField()


def my_ticket_rows(user: Any, *, state: str = "all") -> QuerySet:
    """The tickets the person filed, as rows (dicts) for `ticket_rows`: "open" (not closed,
    cancelled or rejected), "closed" (those) or "all". The order is left to the cursor, which
    pages on the last activity (index `ticket_requester_updated`)."""
    if user is None or not user.is_authenticated:
        return Ticket.objects.none().values(*ROW_FIELDS)
    tickets = Ticket.objects.filter(requester=user)
    if state == "open":
        tickets = tickets.exclude(status__in=Ticket.TERMINAL_STATUSES)
    elif state == "closed":
        tickets = tickets.filter(status__in=Ticket.TERMINAL_STATUSES)
    return tickets.values(
        *ROW_FIELDS, category_name=F("category__name"), service_name=F("service__name")
    )


def ticket_rows(rows: Iterable[dict[str, Any]], url_name: str = "api:ticket") -> list[dict]:
    """The JSON of a list of tickets from `my_ticket_rows`' rows: the address is reversed once
    and the status labels translated once, for the whole page."""
    address = reverse(url_name, kwargs={"pk": _PLACEHOLDER}).replace(str(_PLACEHOLDER), "{}")
    labels = {value: str(label) for value, label in Ticket.Status.choices}
    waiting = Ticket.WAITING_ON_REQUESTER_STATUSES
    as_text = _DATETIME.to_representation
    return [
        {
            "id": row["id"],
            "reference": f"#{row['id']}",
            "subject": row["subject"],
            "status": row["status"],
            "status_label": labels.get(row["status"], row["status"]),
            "priority": row["priority"],
            "category": row["category_name"],
            "service": row["service_name"],
            "created_at": as_text(row["created_at"]),
            "updated_at": as_text(row["updated_at"]),
            "waiting_for_requester": row["status"] in waiting,
            "url": address.format(row["id"]),
        }
        for row in rows
    ]
