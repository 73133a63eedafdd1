"""Services and the category tree in the admin."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from categories.admin import CategoryAdmin
from categories.models import Category, Service, ServiceMembership
from tests.factories import CategoryFactory, ServiceFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    root = CategoryFactory(name="Réseau", ordering=1)
    wifi = CategoryFactory(name="Wi-Fi", parent=root)
    eduroam = CategoryFactory(name="Eduroam", parent=wifi)
    other = CategoryFactory(name="Scolarité", ordering=2)
    return root, wifi, eduroam, other


def test_the_changelist_shows_the_tree_indented(admin_client, tree):
    """Names are indented by depth and listed depth-first, with their service."""
    root, wifi, eduroam, other = tree
    response = admin_client.get(reverse("admin:categories_category_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(text) for text in ("Réseau", "— Wi-Fi", "— — Eduroam", "Scolarité")]
    assert positions == sorted(positions)
    assert root.service.name in html


def test_search_and_filters(admin_client, tree):
    """Search by name or service; filter by activity, service and level."""
    root, wifi, eduroam, other = tree
    url = reverse("admin:categories_category_changelist")
    found = admin_client.get(url, {"q": "eduroam"}).context["cl"].result_list
    assert list(found) == [eduroam]
    found = admin_client.get(url, {"q": other.service.name}).context["cl"].result_list
    assert list(found) == [other]
    found = admin_client.get(url, {"depth": "1"}).context["cl"].result_list
    assert set(found) == {wifi, eduroam}
    found = admin_client.get(url, {"handling_service__id__exact": root.service.pk})
    assert set(found.context["cl"].result_list) == {root, wifi, eduroam}
    Category.objects.filter(pk=wifi.pk).update(is_active=False)
    found = admin_client.get(url, {"is_active__exact": "0"}).context["cl"].result_list
    assert list(found) == [wifi]


def test_a_category_with_tickets_is_never_deleted(admin_client, rf, admin_user, tree):
    """No delete permission, no delete button, no bulk delete action: it is deactivated."""
    root, wifi, eduroam, other = tree
    TicketFactory(category=other)
    model_admin = CategoryAdmin(Category, site)
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_delete_permission(request, other)
    assert not model_admin.has_delete_permission(request, root)  # it has sub-categories
    assert model_admin.has_delete_permission(request, eduroam)
    assert "delete_selected" not in model_admin.get_actions(request)

    delete_url = reverse("admin:categories_category_delete", args=[other.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Category.objects.filter(pk=other.pk).exists()
    change = admin_client.get(reverse("admin:categories_category_change", args=[other.pk]))
    assert delete_url not in change.content.decode()

    admin_client.post(
        reverse("admin:categories_category_changelist"),
        {"action": "deactivate", "_selected_action": [other.pk]},
    )
    other.refresh_from_db()
    assert other.is_active is False


def test_an_unused_leaf_can_be_deleted(admin_client, tree):
    """A category nobody used may go."""
    _root, _wifi, eduroam, _other = tree
    url = reverse("admin:categories_category_delete", args=[eduroam.pk])
    admin_client.post(url, {"post": "yes"})
    assert not Category.objects.filter(pk=eduroam.pk).exists()


def test_adding_a_sub_category_inherits_its_parents_service(admin_client, tree):
    """Created in the admin without a service, a sub-category uses its parent's."""
    root, *_ = tree
    response = admin_client.post(
        reverse("admin:categories_category_add"),
        {
            "parent": root.pk,
            "name": "VPN",
            "slug": "vpn",
            "help_text": "",
            "service": "",
            "ordering": 0,
            "is_active": "on",
            "assignment_mode": "none",
            "assignment_agent": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    vpn = Category.objects.get(slug="vpn")
    assert vpn.handling_service == root.service


def test_service_with_inline_members(admin_client):
    """A service is created with its agents and head in one form; it is searchable."""
    agent, head = UserFactory(), UserFactory()
    response = admin_client.post(
        reverse("admin:categories_service_add"),
        {
            "name": "Direction du numérique",
            "slug": "dnum",
            "description": "",
            "alert_email": "",
            "is_active": "on",
            "closure_approval_days": 14,
            "reopen_window_days": 30,
            "memberships-TOTAL_FORMS": 2,
            "memberships-INITIAL_FORMS": 0,
            "memberships-0-user": agent.pk,
            "memberships-0-role": "agent",
            "memberships-0-is_available": "on",
            "memberships-1-user": head.pk,
            "memberships-1-role": "head",
            "memberships-1-is_available": "on",
            "canned_responses-TOTAL_FORMS": 0,
            "canned_responses-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    service = Service.objects.get(slug="dnum")
    assert dict(service.memberships.values_list("user_id", "role")) == {
        agent.pk: ServiceMembership.Role.AGENT,
        head.pk: ServiceMembership.Role.HEAD,
    }
    listing = admin_client.get(reverse("admin:categories_service_changelist"), {"q": "numérique"})
    assert list(listing.context["cl"].result_list) == [service]


def test_service_changelist_counts_members(admin_client):
    """Each service shows how many members it has."""
    service = ServiceFactory()
    ServiceMembership.objects.create(service=service, user=UserFactory())
    response = admin_client.get(reverse("admin:categories_service_changelist"))
    assert response.context["cl"].result_list[0]._member_count == 1
