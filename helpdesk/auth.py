"""Loading the signed-in person on every request, with what the page header needs.

allauth's backend (email and password; the one SSO sign-ins are recorded with), whose user also
says whether they work in a service: the header shows the desk's links from it without a query of
its own. It lives with the project, not in accounts, because the memberships are categories'.
"""

from __future__ import annotations

from typing import Any

from allauth.account import auth_backends
from django.db.models import Exists, OuterRef

from accounts import cas
from accounts.models import User
from categories.models import ServiceMembership

_WORKS_IN_A_SERVICE = "works_in_a_service"


def works_in_a_service(user: Any) -> bool | None:
    """Whether the person was a member of an active service when loaded for this request; None
    where this backend did not load them (the caller then asks the memberships)."""
    return getattr(user, _WORKS_IN_A_SERVICE, None)


class _LoadsWhetherTheyWorkInAService:
    def get_user(self, user_id: Any) -> User | None:
        """The person of the session, read with one query that also tells whether they work in a
        service (the same condition as `tickets.permissions.service_roles`)."""
        memberships = ServiceMembership.objects.filter(user=OuterRef("pk"), service__is_active=True)
        people = User._default_manager.annotate(**{_WORKS_IN_A_SERVICE: Exists(memberships)})
        try:
            user = people.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class AuthenticationBackend(_LoadsWhetherTheyWorkInAService, auth_backends.AuthenticationBackend):
    pass


class CASBackend(_LoadsWhetherTheyWorkInAService, cas.Backend):
    """CAS sign-ins (accounts.cas): sessions it opens load the person like the one above."""
