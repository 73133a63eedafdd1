"""The category tree: a sub-category inherits its parent's service unless it names one; a change
of place or service reaches the whole branch through categories.services."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from categories import selectors, services
from categories.models import Category
from tests.factories import CategoryFactory, ServiceFactory, TicketFactory

pytestmark = pytest.mark.django_db


def reload(*categories: Category) -> list[Category]:
    return [Category.objects.get(pk=category.pk) for category in categories]


def test_sub_categories_inherit_the_service():
    """Children and grandchildren without a service of their own use the root's."""
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    grandchild = CategoryFactory(parent=child)
    assert child.handling_service == root.service
    assert grandchild.handling_service == root.service
    assert (child.depth, grandchild.depth) == (1, 2)


def test_a_named_service_wins_and_is_inherited_below():
    """A sub-category naming a service uses it, and so do its own children."""
    root = CategoryFactory()
    other = ServiceFactory()
    child = CategoryFactory(parent=root, service=other)
    grandchild = CategoryFactory(parent=child)
    assert (child.handling_service, grandchild.handling_service) == (other, other)


def test_changing_a_parents_service_reaches_inheriting_descendants():
    """A new service on the parent propagates to children that inherit, not to those that name
    their own."""
    root = CategoryFactory()
    inheriting = CategoryFactory(parent=root)
    deep = CategoryFactory(parent=inheriting)
    own = CategoryFactory(parent=root, service=ServiceFactory())
    new_service = ServiceFactory()
    root.service = new_service
    services.category_save(root)
    inheriting, deep, own_now = reload(inheriting, deep, own)
    assert inheriting.handling_service == new_service
    assert deep.handling_service == new_service
    assert own_now.handling_service == own.service


def test_reparenting_moves_the_service_depth_and_path():
    """Moved under another parent, a branch takes that parent's service, depth and place."""
    first, second = CategoryFactory(), CategoryFactory()
    child = CategoryFactory(parent=first)
    grandchild = CategoryFactory(parent=child)
    services.category_move(child, parent=second)
    child, grandchild = reload(child, grandchild)
    assert child.handling_service == second.service
    assert grandchild.handling_service == second.service
    assert grandchild.depth == 2
    assert grandchild.tree_path.startswith(second.tree_path)


def test_a_category_cannot_become_its_own_ancestor():
    """Cycles are refused."""
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    with pytest.raises(ValueError):
        services.category_move(root, parent=child)
    with pytest.raises(ValueError):
        services.category_move(child, parent=child)
    assert Category.objects.get(pk=root.pk).parent_id is None


def test_a_new_order_moves_the_branch_in_the_depth_first_list():
    """Putting a category before its sibling brings its sub-categories along."""
    a, b = CategoryFactory(name="A", ordering=1), CategoryFactory(name="B", ordering=2)
    a1, b1 = CategoryFactory(name="A1", parent=a), CategoryFactory(name="B1", parent=b)
    b.ordering = 0
    services.category_save(b)
    assert list(selectors.category_tree()) == [b, b1, a, a1]


def test_saving_a_category_itself_changes_no_other_row(django_assert_num_queries):
    """The model's save writes its own row only: the branch is the service's business."""
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    root.service = ServiceFactory()
    with django_assert_num_queries(1):
        root.save()
    assert reload(child)[0].handling_service != root.service


def test_a_branch_is_updated_level_by_level(django_assert_max_num_queries):
    """Re-servicing a category reads and writes its branch a level at a time, not a category at
    a time."""
    root = CategoryFactory()
    children = [CategoryFactory(parent=root) for _ in range(6)]
    for child in children:
        CategoryFactory(parent=child)
    root.service = ServiceFactory()
    with django_assert_max_num_queries(8):
        services.category_save(root)
    assert {c.handling_service for c in Category.objects.exclude(pk=root.pk)} == {root.service}


def test_the_tree_lists_depth_first_in_order():
    """Parents come before their children; siblings by their order."""
    b = CategoryFactory(name="B", ordering=2)
    a = CategoryFactory(name="A", ordering=1)
    b1 = CategoryFactory(name="B1", parent=b)
    a2 = CategoryFactory(name="A2", parent=a, ordering=2)
    a1 = CategoryFactory(name="A1", parent=a, ordering=1)
    assert list(selectors.category_tree()) == [a, a1, a2, b, b1]


def test_inactive_branches_take_no_tickets():
    """Deactivating a category hides its whole branch from the choices; inactive services too."""
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    other = CategoryFactory()
    root.is_active = False
    root.save()
    assert selectors.fileable_categories() == [other]
    other.service.is_active = False
    other.service.save()
    assert selectors.fileable_categories() == []
    root.is_active = True
    root.save()
    assert selectors.fileable_categories() == [root, child]
    assert selectors.transfer_targets(root) == [child]


def test_a_category_with_tickets_cannot_be_deleted():
    """Tickets protect their category: it can be deactivated, never deleted."""
    category = CategoryFactory()
    TicketFactory(category=category)
    with pytest.raises(ProtectedError):
        category.delete()
    category.is_active = False
    category.save()
