"""Filing a ticket through the API answers with the ticket as reading it back shows it: its
public timeline (the creation, the permanent invitees, an automatic assignment), its files and
the moves its requester may make, without reading it back."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from categories.models import Category
from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets.models import PermanentInvitee

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.mark.parametrize("automatic", [False, True])
def test_the_answer_to_filing_is_the_ticket_as_read_back(automatic):
    category = CategoryFactory()
    agent = agent_of(category.service)
    if automatic:
        category.assignment_mode = Category.AssignmentMode.FIXED
        category.assignment_agent = agent
        category.save()
    PermanentInvitee.objects.create(category=category, user=UserFactory())
    client = api_client(UserFactory())
    response = client.post(
        "/api/v1/tickets/",
        {
            "category": category.slug,
            "subject": "Projector",
            "description": "Room B12 stays dark.",
            "attachments": [SimpleUploadedFile("room.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 201, response.content
    filed = response.json()
    read_back = client.get(f"/api/v1/tickets/{filed['id']}/").json()
    assert filed == read_back
    assert [a["name"] for a in filed["attachments"]] == ["room.png"]
    assert ("take" in [e["action"] for e in filed["timeline"]]) is False or automatic
    assert (filed["assignee"] is not None) == automatic
