"""Reads of the category tree for the pages that let people choose a category, and the rules of
audiences and confidentiality that every page and the API share.

Audiences: a category naming affiliations or directory groups is offered only to people with one
of those affiliations or in one of those groups, and so are the categories below it (each level
may narrow further). A person the directory describes with nothing (a local or demonstration
account) is offered only the categories nobody restricted. Agents of a service, and superusers,
are offered every category their service handles, with the categories that lead to it.

Confidentiality: the tickets of a confidential category (and of those below it) are seen, among
the agents of its service, only by the agents named for it (`Category.confidential_scope` names
the category whose list applies). `confidential_hidden_from(user)` is the one query that says
which categories' tickets an agent may not see; tickets.selectors filters every list with it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from categories.models import Affiliation, Category, ServiceMembership

# eduPerson: "member" covers faculty, staff, students and other employees.
IMPLIED_AFFILIATIONS: dict[str, frozenset[str]] = {
    Affiliation.STUDENT: frozenset({Affiliation.MEMBER}),
    Affiliation.FACULTY: frozenset({Affiliation.MEMBER}),
    Affiliation.STAFF: frozenset({Affiliation.MEMBER}),
    Affiliation.EMPLOYEE: frozenset({Affiliation.MEMBER}),
}


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


# --- Audiences -------------------------------------------------------------------------------


def person_affiliations(user: Any) -> frozenset[str]:
    """The person's affiliations, lower-case, with those they imply ("student" is a "member")."""
    values = {str(value).strip().lower() for value in (getattr(user, "affiliations", None) or [])}
    for value in list(values):
        values |= IMPLIED_AFFILIATIONS.get(value, frozenset())
    return frozenset(values)


def person_groups(user: Any) -> frozenset[str]:
    """The person's directory groups, compared without case (LDAP names ignore it)."""
    groups = getattr(user, "directory_groups", None) or []
    return frozenset(str(group).strip().lower() for group in groups)


def audience_admits(
    affiliations: list[str], groups: list[str], person: tuple[frozenset[str], frozenset[str]]
) -> bool:
    """One category's own audience lets the person in: no restriction, or one shared affiliation
    or group. `person` is (person_affiliations, person_groups)."""
    if not affiliations and not groups:
        return True
    their_affiliations, their_groups = person
    return bool(
        {value.lower() for value in affiliations} & their_affiliations
        or {group.strip().lower() for group in groups} & their_groups
    )


def _member_service_ids(user: Any) -> set[int]:
    return set(
        ServiceMembership.objects.filter(user_id=user.pk, service__is_active=True).values_list(
            "service_id", flat=True
        )
    )


def offered_category_ids(user: Any) -> set[int]:
    """Ids of the categories offered to the person (active or not: `fileable_categories` and the
    filing steps decide that), two queries: the tree and the person's services.

    A category is offered when its audience and every ancestor's admit the person; to a superuser
    every category; to an agent also every category of their services and the categories above
    them, so that they can reach them step by step.
    """
    rows = list(
        Category.objects.order_by("tree_path").values_list(
            "pk", "parent_id", "handling_service_id", "audience_affiliations", "audience_groups"
        )
    )
    if user is not None and user.is_authenticated and user.is_superuser:
        return {row[0] for row in rows}
    person = (person_affiliations(user), person_groups(user))
    admitted: set[int] = set()
    for pk, parent_id, _service_id, affiliations, groups in rows:
        # Depth-first: a parent is decided before its children.
        if (parent_id is None or parent_id in admitted) and audience_admits(
            affiliations or [], groups or [], person
        ):
            admitted.add(pk)
    if user is None or not user.is_authenticated:
        return admitted
    services = _member_service_ids(user)
    if services:
        parents = {pk: parent_id for pk, parent_id, *_rest in rows}
        for pk, _parent_id, service_id, *_rest in rows:
            if service_id in services:
                node: int | None = pk
                while node is not None and node not in admitted:
                    admitted.add(node)
                    node = parents.get(node)
    return admitted


def is_offered(category: Category, user: Any) -> bool:
    """The category is offered to the person (for a deep link or a posted form)."""
    return category.pk in offered_category_ids(user)


def offered_categories(user: Any) -> list[Category]:
    """The categories the person may file a ticket in, depth-first: fileable and offered to
    them. Three queries; the API lists these."""
    offered = offered_category_ids(user)
    return [category for category in fileable_categories() if category.pk in offered]


# --- Confidentiality -------------------------------------------------------------------------


def confidential_hidden_from(user: Any) -> QuerySet[Category]:
    """The categories whose tickets this person may not see as an agent: confidential (through
    themselves or an ancestor) without naming them. A lazy queryset, used as a subquery."""
    named = Category.confidential_agents.through.objects.filter(
        category_id=OuterRef("confidential_scope_id"), user_id=getattr(user, "pk", None)
    )
    return Category.objects.filter(confidential_scope__isnull=False).exclude(Exists(named))


def named_for_confidential(category_id: int, user: Any) -> bool:
    """The person is among the agents named for this confidential category (its scope's)."""
    return Category.confidential_agents.through.objects.filter(
        category_id=category_id, user_id=getattr(user, "pk", None)
    ).exists()
