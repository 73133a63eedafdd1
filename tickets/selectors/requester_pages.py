"""Reads for the requester's own pages: "Mes tickets" and the choice of a category when filing."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from categories.models import Category
from tickets.models import Ticket


def requester_tickets(user: Any, *, state: str = "all") -> QuerySet[Ticket]:
    """The tickets the person filed, for "Mes tickets": active ones first, then by last activity.

    `state` is "open" (not closed, cancelled or rejected), "closed" (those) or "all". One query
    for a page of rows (category and service joined), plus the paginator's count.
    """
    if user is None or not user.is_authenticated:
        return Ticket.objects.none()
    tickets = Ticket.objects.filter(requester=user)
    if state == "open":
        tickets = tickets.exclude(status__in=Ticket.TERMINAL_STATUSES)
    elif state == "closed":
        tickets = tickets.filter(status__in=Ticket.TERMINAL_STATUSES)
    return (
        tickets.select_related("category", "service")
        .annotate(
            is_done=Case(
                When(status__in=Ticket.TERMINAL_STATUSES, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("is_done", "-updated_at", "-pk")
    )


def category_choices(parent: Category | None, offered: set[int] | None = None) -> list[Category]:
    """The active categories a requester may pick below `parent` (None: the roots): those that
    receive tickets themselves or lead to active sub-categories. One query. `offered`: the ids
    of the categories offered to the person (`categories.selectors.offered_category_ids`); a
    category outside it is left out."""
    candidates = (
        Category.objects.active()
        .filter(parent=parent)
        .select_related("handling_service")
        .annotate(
            open_children=Count("children", filter=Q(children__is_active=True), distinct=True)
        )
        .order_by("ordering", "name")
    )
    return [
        category
        for category in candidates
        if (accepts_tickets(category) or category.open_children > 0)
        and (offered is None or category.pk in offered)
    ]


def selectable_category(slug: str) -> Category | None:
    """The active category with this slug, if none of its ancestors was deactivated."""
    category = (
        Category.objects.active()
        .select_related("handling_service", "parent")
        .filter(slug=slug)
        .first()
    )
    if category is None:
        return None
    if any(not ancestor.is_active for ancestor in category.ancestors()):
        return None
    return category


def accepts_tickets(category: Category) -> bool:
    """Tickets may be filed in the category: it resolves to an active service."""
    service = category.handling_service
    return category.is_active and service is not None and service.is_active
