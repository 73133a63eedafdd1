"""Cursor pagination: a page's address stays right while tickets are filed and updated (an
offset would skip or repeat rows), and reaching a deep page costs what the first one does."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import CursorPagination


class TicketCursor(CursorPagination):
    """25 tickets a page (`?page_size=` up to 100), in the order the view names
    (`cursor_ordering`, its first field being near-unique: a date or the id)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-updated_at", "-pk")

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return tuple(getattr(view, "cursor_ordering", self.ordering))
