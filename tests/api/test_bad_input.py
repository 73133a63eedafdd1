"""No input makes the API answer a server error: every move and the filing endpoint with wrong
types, huge numbers, unknown ids, long strings, broken JSON and non-UTF-8 bytes answer 4xx
problem documents."""

from __future__ import annotations

import pytest

from api.views.moves import API_MOVES
from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services

pytestmark = pytest.mark.django_db

VALUES = [
    "x",
    "",
    None,
    -1,
    0,
    2**31,
    2**63,
    2**70,
    "9" * 40,
    "é" * 30_000,
    [],
    {},
    "1e309",
    "../../etc/passwd",
    True,
]
FIELDS = [
    "text",
    "reason",
    "question",
    "resolution",
    "agent",
    "category",
    "priority",
    "note",
    "until",
    "into",
    "other",
    "subject",
    "internal",
    "file",
    "files",
    "description",
    "attachments",
]


@pytest.fixture
def clients():
    category = CategoryFactory()
    agent = agent_of(category.service)
    requester = UserFactory()
    ticket = services.ticket_create(
        requester=requester, category=category, subject="S", description="D"
    )
    return ticket, {"agent": api_client(agent), "requester": api_client(requester)}


@pytest.mark.parametrize("name", [api_move.name for api_move in API_MOVES] + ["<file>"])
def test_garbage_never_answers_a_server_error(name, clients):
    ticket, by_role = clients
    url = "/api/v1/tickets/" if name == "<file>" else f"/api/v1/tickets/{ticket.pk}/{name}/"
    for client in by_role.values():
        for value in VALUES:
            body = dict.fromkeys(FIELDS, value)
            response = client.post(url, body, content_type="application/json")
            assert response.status_code < 500, (name, value, response.content[:300])
        for raw in (b"{", b"\xff\xfe", b"[1, 2]", b'"text"', b"null"):
            response = client.post(url, raw, content_type="application/json")
            assert response.status_code < 500, (name, raw)
            assert response["Content-Type"] == "application/problem+json" or (
                response.status_code < 300
            )
        response = client.post(url, {"text": "x", "files": "not a file"})
        assert response.status_code < 500


@pytest.mark.parametrize("parent", ["\x00", "a" * 500, "../x", "%", "é-ok"])
def test_a_strange_parent_category_is_not_found(parent):
    response = api_client(UserFactory()).get("/api/v1/categories/", {"parent": parent})
    assert response.status_code == 404
