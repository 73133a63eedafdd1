"""The ENT widget in a real browser: a portal page on an allowed origin shows it in its frame, a
page on another origin gets nothing (Chromium enforces `frame-ancestors`). The two portals are
tiny HTTP servers on two loopback ports, the helpdesk is the live server on a third; the person
is signed in on the helpdesk, as on a same-site university portal."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from tests.browser.helpers import check_accessibility
from tests.factories import CategoryFactory, UserFactory, agent_of
from tickets import services, workflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@contextmanager
def portal(widget_url: str) -> Iterator[str]:
    """A portal page framing the widget, served on a free loopback port; yields its origin."""
    page = (
        "<!DOCTYPE html><html lang='fr'><head><title>ENT</title></head><body>"
        f"<h1>ENT</h1><iframe title='Assistance' src='{widget_url}' width='600' height='400'>"
        "</iframe></body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # The live server's host name: the portal is on the helpdesk's site (the session cookie,
        # SameSite=Lax, reaches the frame), on another port, so another origin.
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _signed_in_context(new_context, live_server, user):
    client = Client()
    client.force_login(user)
    context = new_context(locale="fr-FR")
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def test_an_allowed_portal_shows_the_widget_and_another_is_refused(
    new_context, live_server, settings
):
    category = CategoryFactory()
    agent = agent_of(category.service)
    student = UserFactory()
    ticket = services.ticket_create(
        requester=student, category=category, subject="Badge refusé au restaurant", description="D"
    )
    workflow.take(ticket=ticket, actor=agent)
    workflow.request_info(ticket=ticket, actor=agent, question="Quel campus ?")
    widget_url = f"{live_server.url}/ent/mine/"
    context = _signed_in_context(new_context, live_server, student)
    page = context.new_page()
    try:
        with portal(widget_url) as allowed, portal(widget_url) as other:
            settings.ENT_FRAME_ANCESTORS = [allowed]

            page.goto(f"{allowed}/")
            frame = page.frame_locator("iframe")
            expect(frame.get_by_role("heading", name="Mes tickets")).to_be_visible()
            expect(frame.get_by_text("Badge refusé au restaurant")).to_be_visible()
            expect(frame.get_by_role("link", name="Déposer un ticket")).to_be_visible()

            page.goto(f"{other}/")
            page.wait_for_load_state("load")
            child = page.frames[1]
            # Chromium replaces a refused frame by its error page.
            assert child.url == "chrome-error://chromewebdata/"
            assert "Badge refusé" not in child.content()

        # The widget itself passes axe, opened on its own.
        page.goto(widget_url)
        check_accessibility(page, "ENT widget")
    finally:
        context.close()
