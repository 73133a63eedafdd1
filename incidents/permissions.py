"""Who may do what with an incident: one table, read by the services, the views and the menus.

The incident belongs to the service that declared it: its agents and head (and superusers)
declare, link tickets, post updates and resolve it. Anyone signed in may say they are affected by
a public ongoing incident. An incident is public (status page, feed, banner while filing) only
while none of its categories is confidential: a confidential category's tickets are seen by its
service alone, and so are its incidents.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from categories.models import Category
from tickets import permissions as ticket_permissions

if TYPE_CHECKING:
    from categories.models import Service
    from incidents.models import Incident


class Action(StrEnum):
    DECLARE = "declare"
    LINK = "link"
    POST_UPDATE = "post_update"
    RESOLVE = "resolve"
    SUBSCRIBE = "subscribe"


class Who(StrEnum):
    SERVICE = "agents and head of the incident's service, superusers"
    ANYONE = "anyone signed in"


# Action -> (who, the incident must still be ongoing).
TABLE: dict[Action, tuple[Who, bool]] = {
    Action.DECLARE: (Who.SERVICE, False),
    Action.LINK: (Who.SERVICE, True),
    Action.POST_UPDATE: (Who.SERVICE, True),
    Action.RESOLVE: (Who.SERVICE, True),
    Action.SUBSCRIBE: (Who.ANYONE, True),
}


def _has_field(name: str) -> bool:
    return any(field.name == name for field in Category._meta.get_fields())


def confidentiality_known() -> bool:
    """Whether categories carry the `is_confidential` flag (categories/migrations/0003)."""
    return _has_field("is_confidential")


def confidential_categories() -> Q:
    """Categories that are confidential, themselves or through a confidential ancestor."""
    condition = Q(is_confidential=True)
    if _has_field("confidential_scope"):
        condition |= Q(confidential_scope__isnull=False)
    return condition


def is_public(incident: Incident) -> bool:
    """No affected category is confidential, itself or through an ancestor (reads the
    prefetched categories when there are)."""
    if not confidentiality_known():
        return True
    return not any(
        getattr(c, "is_confidential", False) or getattr(c, "confidential_scope_id", None)
        for c in incident.categories.all()
    )


def _person(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def works_for(user: Any, service: Service | int) -> bool:
    """An agent or head of the service, or a superuser."""
    if not _person(user):
        return False
    return user.is_superuser or ticket_permissions.is_agent_of(user, service)


def may(action: Action, user: Any, incident: Incident | None = None, **kwargs: Any) -> bool:
    """The table's answer for this person (and incident; for DECLARE, `service=`)."""
    who, ongoing_only = TABLE[action]
    if incident is not None and ongoing_only and not incident.is_ongoing:
        return False
    if who == Who.ANYONE:
        return _person(user) and (incident is None or is_public(incident))
    service = kwargs.get("service") if incident is None else incident.service_id
    return service is not None and works_for(user, service)


def can_manage(incident: Incident, user: Any) -> bool:
    """Sees the incident's desk page (whatever its status)."""
    return works_for(user, incident.service_id)


def can_use_incidents_desk(user: Any) -> bool:
    return _person(user) and ticket_permissions.can_use_desk(user)
