"""The agents' saved queue views: a queue's filters and sort under a name of their choosing."""

from __future__ import annotations

from typing import Any

from tickets.models import SavedQueueView

# Enough for every team's usual views; the tab bar stays one line or two.
VIEWS_PER_PERSON = 20


def view_save(*, user: Any, name: str, query: str) -> SavedQueueView:
    """Saves the view, or replaces the person's view of the same name. Past `VIEWS_PER_PERSON`
    the oldest one goes."""
    view, _created = SavedQueueView.objects.update_or_create(
        user=user, name=name, defaults={"query": query}
    )
    extra = SavedQueueView.objects.filter(user=user).order_by("-created_at", "-pk")[
        VIEWS_PER_PERSON:
    ]
    SavedQueueView.objects.filter(pk__in=list(extra.values_list("pk", flat=True))).delete()
    return view


def view_delete(*, user: Any, pk: int) -> str | None:
    """Deletes one of the person's views; its name, or None when they have no such view."""
    view = SavedQueueView.objects.filter(user=user, pk=pk).first()
    if view is None:
        return None
    view.delete()
    return view.name
