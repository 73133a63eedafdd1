"""Reads of the category tree for the pages that let people choose a category."""

from __future__ import annotations

from django.db.models import QuerySet

from categories.models import Category


def category_tree() -> QuerySet[Category]:
    """Every category, depth-first (parents before their children), with its service."""
    return Category.objects.select_related("handling_service", "parent").order_by("tree_path")


def fileable_categories() -> list[Category]:
    """The categories a ticket can be filed in or transferred to, depth-first: active, handled
    by an active service, and under active parents only (deactivating a category hides its
    branch). One query."""
    categories = list(category_tree())
    by_id = {category.pk: category for category in categories}
    usable: list[Category] = []
    for category in categories:
        if not category.is_active or category.handling_service is None:
            continue
        if not category.handling_service.is_active:
            continue
        node = by_id.get(category.parent_id) if category.parent_id else None
        branch_active = True
        while node is not None:
            if not node.is_active:
                branch_active = False
                break
            node = by_id.get(node.parent_id) if node.parent_id else None
        if branch_active:
            usable.append(category)
    return usable


def transfer_targets(current: Category | None = None) -> list[Category]:
    """Where a ticket may be transferred: any fileable category but the one it is in."""
    return [
        category
        for category in fileable_categories()
        if current is None or category.pk != current.pk
    ]
