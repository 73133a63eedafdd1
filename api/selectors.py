"""Reads of the API that answer in plain rows: "my tickets" is the call a portal makes on every
page view, so it reads only the columns it sends (`values()`, category and service joined, one
query a page) and builds its JSON without a serializer per row. `ticket_rows` gives exactly what
`api.serializers.TicketRowSerializer` gives (tests/api/test_rows.py holds them together), and that
serializer still describes the rows in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from categories.models import Category
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
    as_text = datetime_text()
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


def datetime_text() -> Callable[[Any], str | None]:
    """`serializers.DateTimeField().to_representation` with the current time zone looked up once
    for a whole page instead of once per date: the same text for every value."""
    zone = timezone.get_current_timezone()
    fallback = _DATETIME.to_representation

    def as_text(value: Any) -> str | None:
        if not isinstance(value, datetime) or value.tzinfo is None:
            return fallback(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return as_text


def fileable_category_id(slug: str) -> int | None:
    """The id of the category with this slug when tickets may be filed in it: active, under
    active parents only, handled by an active service (what `requester_pages.selectable_category`
    and `accepts_tickets` decide together for the filing page), else None.

    One query of plain rows over the tree, where the page reads the category with its service
    and parent as models and then its ancestors: filing through the API only needs the answer,
    `services.ticket_create` reading the category it files in itself."""
    rows = Category.objects.order_by().values_list(
        "pk", "parent_id", "slug", "is_active", "handling_service_id", "handling_service__is_active"
    )
    parents: dict[int, tuple[int | None, bool]] = {}
    found = None
    for pk, parent_id, row_slug, is_active, service_id, service_active in rows:
        parents[pk] = (parent_id, is_active)
        if row_slug == slug:
            found = (pk, parent_id, is_active, service_id is not None and bool(service_active))
    if found is None:
        return None
    pk, parent_id, is_active, service_active = found
    if not is_active or not service_active:
        return None
    seen = {pk}
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent_id, parent_active = parents.get(parent_id, (None, False))
        if not parent_active:
            return None
    return pk
