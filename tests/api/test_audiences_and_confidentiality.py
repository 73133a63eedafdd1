"""The API applies the pages' rules on who may file where and who sees what: a category
reserved to an audience is neither listed nor accepted for others; a confidential category's
tickets stay with the agents named for it, in the queues and on the ticket."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services

pytestmark = pytest.mark.django_db


def test_a_category_reserved_to_staff_is_neither_listed_nor_accepted_for_a_student():
    open_to_all = CategoryFactory(name="Wi-Fi")
    staff_only = CategoryFactory(name="Payroll", audience_affiliations=["staff"])
    student = UserFactory(affiliations=["student"])
    staff = UserFactory(affiliations=["staff"])
    slugs = {c["slug"] for c in api_client(student).get("/api/v1/categories/").json()}
    assert slugs == {open_to_all.slug}
    slugs = {c["slug"] for c in api_client(staff).get("/api/v1/categories/").json()}
    assert slugs == {open_to_all.slug, staff_only.slug}
    body = {"category": staff_only.slug, "subject": "Payslip", "description": "Missing."}
    response = api_client(student).post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert "category" in response.json()["errors"]
    assert (
        api_client(staff)
        .post("/api/v1/tickets/", body, content_type="application/json")
        .status_code
        == 201
    )


def test_a_confidential_ticket_stays_with_the_named_agents():
    category = CategoryFactory(name="Harassment", is_confidential=True)
    named = agent_of(category.service)
    other_agent = agent_of(category.service)
    category.confidential_agents.add(named)
    ticket = services.ticket_create(
        requester=UserFactory(), category=category, subject="Confidential matter", description="D"
    )
    url = f"/api/v1/desk/tickets/{ticket.pk}/"
    assert api_client(named).get(url).status_code == 200
    assert api_client(other_agent).get(url).status_code == 404
    response = api_client(other_agent).get("/api/v1/desk/queues/all/")
    assert b"Confidential matter" not in response.content
    take = api_client(other_agent).post(f"/api/v1/tickets/{ticket.pk}/take/")
    assert take.status_code == 404
