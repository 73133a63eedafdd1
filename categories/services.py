"""Writes to the category tree and to the services' memberships.

A category's parent, order and service decide its depth, its place in the depth-first order
(`tree_path`) and the service that handles its tickets, for it and for every category below it:
`category_save` keeps them all current in one transaction. A new category created with
`Category.objects.create` needs nothing more: it is a leaf.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from categories.models import Category, ServiceMembership


@transaction.atomic
def category_save(category: Category) -> Category:
    """Saves a new or changed category and brings its branch up to date: depth, place and
    handling service of the category and of every category below it (one read and one write per
    level). Raises ValueError when the category would go below itself."""
    if category.pk is not None:
        _refuse_cycle(category)
    category.inherit_from_parent()
    category.save()
    if category.is_confidential and category.confidential_scope_id != category.pk:
        # A new confidential category is its own scope once saved.
        category.confidential_scope_id = category.pk
        Category.objects.filter(pk=category.pk).update(confidential_scope=category.pk)
    path = category.path_below_parent()
    if path != category.tree_path:
        category.tree_path = path
        Category.objects.filter(pk=category.pk).update(tree_path=path)
    _update_branch(category)
    return category


def category_move(category: Category, *, parent: Category | None) -> Category:
    """Puts the category, with its branch, below `parent` (None: at the top of the tree)."""
    category.parent = parent
    return category_save(category)


def _refuse_cycle(category: Category) -> None:
    node = category.parent if category.parent_id is not None else None
    while node is not None:
        if node.pk == category.pk:
            raise ValueError("A category cannot be its own ancestor.")
        node = node.parent


def _update_branch(top: Category) -> None:
    """Children keep an inherited service, confidential scope and a path below their parent's,
    down the branch."""
    changed: list[Category] = []
    level = [top]
    while level:
        parents = {node.pk: node for node in level}
        level = list(Category.objects.filter(parent_id__in=parents))
        for child in level:
            child.parent = parents[child.parent_id]
            fields = ("depth", "handling_service_id", "confidential_scope_id", "tree_path")
            before = tuple(getattr(child, name) for name in fields)
            child.inherit_from_parent()
            child.tree_path = child.path_below_parent()
            if tuple(getattr(child, name) for name in fields) != before:
                changed.append(child)
    Category.objects.bulk_update(
        changed, ["depth", "handling_service", "confidential_scope", "tree_path"]
    )


def membership_set_available(*, user: Any, service_id: int, available: bool) -> ServiceMembership:
    """Marks the person available, or not, for automatic assignment in one service they work in
    (round-robin skips those who are not). Raises ServiceMembership.DoesNotExist when they are not
    a member of that service."""
    membership = ServiceMembership.objects.get(user=user, service_id=service_id)
    membership.is_available = available
    membership.save(update_fields=["is_available"])
    return membership
