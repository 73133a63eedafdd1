"""The services' part of a person's data (see accounts.personal_data): the services they work in.

Anonymizing keeps the memberships: the person stays counted in their services' history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accounts import personal_data
from categories.models import ServiceMembership

if TYPE_CHECKING:
    from accounts.models import User


def register() -> None:
    personal_data.register("service_memberships", service_memberships)


def service_memberships(user: User) -> list[dict[str, Any]]:
    return [
        {
            "service": membership.service.name,
            "role": membership.role,
            "is_available": membership.is_available,
            "last_auto_assigned_at": membership.last_auto_assigned_at,
        }
        for membership in ServiceMembership.objects.filter(user=user)
        .select_related("service")
        .order_by("service__name")
    ]
