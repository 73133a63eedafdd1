"""The guide's journey through the API alone, as a portal and a desk tool would walk it: the
requester files a ticket with a file, an agent takes it and asks for information, the requester
answers, the agent requests the closure, the requester refuses it with a reason, the agent
requests it again and the requester approves. Every step reads back what the other side sees."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _move(client, pk: int, name: str, body: dict | None = None):
    return client.post(f"/api/v1/tickets/{pk}/{name}/", body or {}, content_type="application/json")


def test_the_guides_journey_through_the_api():
    category = CategoryFactory(name="Wi-Fi")
    student = UserFactory(full_name="Camille Student")
    agent = agent_of(category.service, user__full_name="Alex Agent")
    requester_api = api_client(student)
    agent_api = api_client(agent)

    # The portal offers the categories and files a ticket with a screenshot.
    categories = requester_api.get("/api/v1/categories/").json()
    assert [c["slug"] for c in categories] == [category.slug]
    assert categories[0]["accepts_tickets"] is True
    response = requester_api.post(
        "/api/v1/tickets/",
        {
            "category": category.slug,
            "subject": "Eduroam refuses my password",
            "description": "Since Monday, on my laptop.",
            "attachments": [SimpleUploadedFile("screen.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 201, response.content
    filed = response.json()
    pk = filed["id"]
    assert filed["status"] == "open"
    assert [a["name"] for a in filed["attachments"]] == ["screen.png"]
    assert Ticket.objects.get(pk=pk).origin == Ticket.Origin.API

    # The agent finds it in the queue "to handle", takes it and asks a question.
    todo = agent_api.get("/api/v1/desk/queues/todo/").json()
    assert [row["id"] for row in todo["results"]] == [pk]
    assert _move(agent_api, pk, "take").json()["status"] == "in_progress"
    assert _move(agent_api, pk, "internal_note", {"text": "Probably the new certificate."})
    response = _move(agent_api, pk, "request_info", {"question": "Which operating system?"})
    assert response.json()["status"] == "info_requested"

    # The requester sees the question, never the internal note, and answers it.
    mine = requester_api.get("/api/v1/tickets/?state=open").json()["results"]
    assert mine[0]["waiting_for_requester"] is True
    seen = requester_api.get(f"/api/v1/tickets/{pk}/").json()
    texts = [event["text"] for event in seen["timeline"]]
    assert "Which operating system?" in texts
    assert "Probably the new certificate." not in texts
    assert {"answer", "comment"} <= set(seen["moves"])
    response = _move(requester_api, pk, "answer", {"text": "Windows 11."})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"

    # The agent sees the whole timeline, internal note included, and proposes a resolution.
    desk_view = agent_api.get(f"/api/v1/desk/tickets/{pk}/").json()
    assert "Probably the new certificate." in [event["text"] for event in desk_view["timeline"]]
    response = _move(agent_api, pk, "request_closure", {"resolution": "Certificate installed."})
    assert response.json()["status"] == "closure_pending"

    # The requester refuses: a reason is required, then given.
    response = _move(requester_api, pk, "refuse_closure", {})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:helpdesk:problem:text-required"
    response = _move(requester_api, pk, "refuse_closure", {"reason": "Still refused on campus."})
    assert response.json()["status"] == "in_progress"

    # The agent tries again; the requester approves; approving twice is a conflict.
    _move(agent_api, pk, "request_closure", {"resolution": "Profile reset on campus."})
    response = _move(requester_api, pk, "approve_closure")
    assert response.json()["status"] == "closed"
    response = _move(requester_api, pk, "approve_closure")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:helpdesk:problem:move-conflict"

    closed = requester_api.get("/api/v1/tickets/?state=closed").json()["results"]
    assert [row["id"] for row in closed] == [pk]
    actions = [
        event["action"] for event in requester_api.get(f"/api/v1/tickets/{pk}/").json()["timeline"]
    ]
    assert actions == [
        "created",
        "attachment",
        "take",
        "request_info",
        "comment",
        "receive_info",
        "request_closure",
        "refuse_closure",
        "request_closure",
        "approve_closure",
    ]
