"""A member's availability for automatic assignment, service by service (categories.services)."""

from __future__ import annotations

import pytest

from categories import services
from categories.models import ServiceMembership
from tests.factories import MembershipFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_availability_changes_one_membership_only():
    """Marking oneself unavailable in a service leaves one's other services as they were."""
    first = MembershipFactory()
    second = MembershipFactory(user=first.user)
    changed = services.membership_set_available(
        user=first.user, service_id=first.service_id, available=False
    )
    assert changed.pk == first.pk and changed.is_available is False
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_available, second.is_available) == (False, True)
    services.membership_set_available(user=first.user, service_id=first.service_id, available=True)
    first.refresh_from_db()
    assert first.is_available is True


def test_availability_in_a_service_one_is_not_in_is_refused():
    membership = MembershipFactory()
    with pytest.raises(ServiceMembership.DoesNotExist):
        services.membership_set_available(
            user=membership.user, service_id=ServiceFactory().pk, available=False
        )
