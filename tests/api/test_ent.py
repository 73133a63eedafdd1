"""The ENT's "Mes tickets" widget: the person's open tickets, those waiting for them first, a
link to file a ticket; framed only by the portal's origins, and its JSON."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services, workflow

pytestmark = pytest.mark.django_db

PORTAL = "https://ent.univ.example"


@pytest.fixture
def student_tickets():
    category = CategoryFactory()
    agent = agent_of(category.service)
    student = UserFactory()
    files = {}
    for name in ("Waiting one", "Open one", "Closed one"):
        files[name] = services.ticket_create(
            requester=student, category=category, subject=name, description="D"
        )
    workflow.take(ticket=files["Waiting one"], actor=agent)
    workflow.request_info(ticket=files["Waiting one"], actor=agent, question="Which room?")
    workflow.mark_solved(ticket=files["Closed one"], actor=student)
    return student, files


@override_settings(ENT_FRAME_ANCESTORS=[PORTAL, "https://evil.example/path", "'unsafe-inline'"])
def test_the_widget_may_be_framed_by_the_portal_only(student_tickets):
    student, _files = student_tickets
    client = Client()
    client.force_login(student)
    response = client.get("/ent/mine/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert f"frame-ancestors {PORTAL};" in policy
    assert "evil" not in policy and "unsafe-inline" not in policy
    assert "X-Frame-Options" not in response
    # Every other page keeps refusing to be framed.
    other = client.get("/tickets/")
    assert "frame-ancestors 'none'" in other["Content-Security-Policy"]
    assert other["X-Frame-Options"] == "DENY"


def test_without_portal_origins_the_widget_refuses_framing_too(student_tickets):
    student, _files = student_tickets
    client = Client()
    client.force_login(student)
    assert "frame-ancestors 'none'" in client.get("/ent/mine/")["Content-Security-Policy"]


def test_the_widget_lists_open_tickets_waiting_ones_first(student_tickets):
    student, _files = student_tickets
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(student)
    client.get("/ent/mine/")
    html = client.get("/ent/mine/").content.decode()
    assert html.index("Waiting one") < html.index("Open one")
    assert "Closed one" not in html
    assert "Déposer un ticket" in html
    assert '<base target="_top">' in html
    assert "hd-header" not in html  # no header: the portal frames it


def test_a_visitor_is_offered_to_sign_in():
    html = Client().get("/ent/mine/").content.decode()
    assert 'href="/tickets/"' in html


def test_the_widgets_json(student_tickets):
    student, files = student_tickets
    data = api_client(student).get("/api/v1/ent/mine/").json()
    assert [row["subject"] for row in data["waiting"]] == ["Waiting one"]
    assert [row["subject"] for row in data["open"]] == ["Open one"]
    assert data["more"] is False
    assert data["file_url"].endswith("/tickets/new/")
    assert Client().get("/api/v1/ent/mine/").status_code == 401
