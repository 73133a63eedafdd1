"""A refused move becomes a message and a 403/409 page, never a server error."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.tickets.refusal_urls")]


@pytest.mark.parametrize(
    ("code", "title"),
    [(409, "Action plus possible"), (403, "Action non autorisée"), (400, "Information manquante")],
)
@pytest.mark.parametrize("prefix", ["tickets", "desk", "elsewhere"])
def test_refusals_show_the_message_with_their_status(client, code, title, prefix):
    """Wherever it is raised, a TransitionRefused keeps its status and its message is shown: one
    middleware answers every refusal."""
    response = client.get(f"/{prefix}/refuse/{code}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == code
    assert "tickets/refused.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert title in html
    expected = "Please write your question." if code == 400 else "already taken by Bob"
    assert expected in html
    assert html.count(expected) == 1


@pytest.mark.parametrize("prefix", ["tickets", "desk"])
def test_permission_denied_on_ticket_pages_gets_the_same_page(client, prefix):
    """PermissionDenied under /tickets/ and /desk/ becomes the refusal page (403)."""
    response = client.get(f"/{prefix}/refuse/999/")
    assert response.status_code == 403
    assert "tickets/refused.html" in [t.name for t in response.templates]


def test_permission_denied_elsewhere_is_left_to_django(client):
    """Outside the ticket pages Django's own 403 handling applies."""
    response = client.get("/elsewhere/refuse/999/")
    assert response.status_code == 403
    assert "tickets/refused.html" not in [t.name for t in response.templates]


def test_htmx_requests_reload_the_page_to_show_the_message(client):
    """htmx does not swap error responses: it is told to refresh, and the message waits in the
    session for the reloaded page."""
    response = client.post("/tickets/refuse/409/", HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert "already taken by Bob" in client.get("/").content.decode()


def test_the_back_link_only_points_to_this_site(client):
    """The back link follows the Referer only when it is this site's."""
    response = client.get("/tickets/refuse/409/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in response.content.decode()
    response = client.get("/tickets/refuse/409/", HTTP_REFERER="http://testserver/tickets/5/")
    assert "http://testserver/tickets/5/" in response.content.decode()
