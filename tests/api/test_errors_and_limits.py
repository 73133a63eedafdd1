"""Errors are problem documents (RFC 9457) with the pages' status codes and messages; bad input
is a 400 naming the field, never a 500; rate limits answer 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.settings import api_settings

from tests.api.conftest import api_client
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services, workflow
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _file(requester, category, **fields) -> Ticket:
    values = {"subject": "Printer", "description": "Jammed."} | fields
    return services.ticket_create(requester=requester, category=category, **values)


def test_invalid_input_names_each_field():
    client = api_client(UserFactory())
    response = client.post(
        "/api/v1/tickets/", {"subject": "x" * 300}, content_type="application/json"
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:helpdesk:problem:invalid"
    assert problem["instance"] == "/api/v1/tickets/"
    assert set(problem["errors"]) == {"category", "subject", "description"}


def test_an_unknown_or_inactive_category_is_refused():
    category = CategoryFactory(is_active=False)
    client = api_client(UserFactory())
    body = {"category": category.slug, "subject": "S", "description": "D"}
    response = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert "category" in response.json()["errors"]


def test_a_refused_file_is_a_400_and_files_nothing():
    category = CategoryFactory()
    requester = UserFactory()
    client = api_client(requester)
    response = client.post(
        "/api/v1/tickets/",
        {
            "category": category.slug,
            "subject": "S",
            "description": "D",
            "attachments": [
                SimpleUploadedFile("run.exe", b"MZ\x90\x00", "application/octet-stream")
            ],
        },
    )
    assert response.status_code == 400
    assert "attachments" in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_a_comment_with_files_through_multipart():
    category = CategoryFactory()
    requester = UserFactory()
    ticket = _file(requester, category)
    client = api_client(requester)
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/comment/",
        {"text": "Here it is.", "files": [SimpleUploadedFile("a.png", PNG, "image/png")]},
    )
    assert response.status_code == 200, response.content
    names = [a["name"] for a in client.get(f"/api/v1/tickets/{ticket.pk}/").json()["attachments"]]
    assert names == ["a.png"]


def test_two_agents_taking_the_same_ticket_the_second_is_told_who_won():
    category = CategoryFactory()
    first, second = agent_of(category.service, user__full_name="Ana"), agent_of(category.service)
    ticket = _file(UserFactory(), category)
    workflow.take(ticket=ticket, actor=first)
    response = api_client(second).post(f"/api/v1/tickets/{ticket.pk}/take/")
    assert response.status_code == 409
    assert "Ana" in response.json()["detail"]


def test_a_transfer_out_of_the_agents_service_leaves_them_without_the_ticket():
    category = CategoryFactory()
    elsewhere = CategoryFactory()
    agent = agent_of(category.service)
    ticket = _file(UserFactory(), category)
    client = api_client(agent)
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/transfer/",
        {"category": elsewhere.pk, "note": "Not ours."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert client.get(f"/api/v1/desk/tickets/{ticket.pk}/").status_code == 404


def test_the_api_answers_in_the_language_asked_else_the_persons():
    category = CategoryFactory()
    requester = UserFactory(preferred_language="en")
    ticket = _file(requester, category)
    client = api_client(requester)
    url = f"/api/v1/tickets/{ticket.pk}/refuse_closure/"
    english = client.post(url).json()["detail"]
    french = client.post(url, HTTP_ACCEPT_LANGUAGE="fr").json()["detail"]
    assert english.startswith("This is not possible")
    assert french.startswith("Ce n’est pas possible")


def test_requests_past_the_rate_are_refused_with_retry_after():
    client = api_client(UserFactory())
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "3/minute"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        codes = [client.get("/api/v1/me/").status_code for _n in range(4)]
        last = client.get("/api/v1/me/")
    assert codes == [200, 200, 200, 429]
    assert last.json()["type"] == "urn:helpdesk:problem:rate-limited"
    assert int(last["Retry-After"]) > 0


def test_filing_shares_the_filing_pages_limit():
    category = CategoryFactory()
    client = api_client(UserFactory())
    body = {"category": category.slug, "subject": "S", "description": "D"}
    with override_settings(TICKET_CREATE_RATE="2/10m"):
        codes = [
            client.post("/api/v1/tickets/", body, content_type="application/json").status_code
            for _n in range(3)
        ]
    assert codes == [201, 201, 429]


def _rest_framework() -> dict:
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_a_large_file_spooled_to_disk_is_accepted(settings):
    """Uploads past FILE_UPLOAD_MAX_MEMORY_SIZE are temporary files on disk: the API reads them
    as the pages do."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    category = CategoryFactory()
    requester = UserFactory()
    client = api_client(requester)
    big = PNG + b"\x00" * 5000
    response = client.post(
        "/api/v1/tickets/",
        {
            "category": category.slug,
            "subject": "Screenshot",
            "description": "Attached.",
            "attachments": [SimpleUploadedFile("big.png", big, "image/png")],
        },
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(
        f"/api/v1/tickets/{pk}/attachment/",
        {"file": SimpleUploadedFile("again.png", big, "image/png")},
    )
    assert response.status_code == 200, response.content
    names = [a["name"] for a in client.get(f"/api/v1/tickets/{pk}/").json()["attachments"]]
    assert names == ["big.png", "again.png"]
