"""A person creates an API token on their profile page and revokes it, in Chromium, with axe on
each page; the API's documentation page draws Swagger UI under the site's Content-Security-Policy
(its assets from the helpdesk itself, no inline script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from tests.browser.helpers import check_accessibility, log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_and_revoke_a_token_on_the_profile_page(page, live_server):
    person = UserFactory(full_name="Camille Martin")
    log_in(page, live_server.url, person.email, "/profile/")
    check_accessibility(page, "profile with the token section")
    section = page.locator("#api-tokens")
    section.get_by_label("Nom").fill("Mon script")
    section.get_by_label("Lecture et écriture").check()
    section.get_by_role("button", name="Créer un jeton").click()
    expect(page.get_by_role("heading", name="Votre nouveau jeton")).to_be_visible()
    secret = page.get_by_label("Jeton").input_value()
    assert secret.startswith("hdk_")
    check_accessibility(page, "new token")
    token = ApiToken.objects.get(user=person)
    assert token.scope == "write"
    page.get_by_role("link", name="Retour à mon profil").click()
    page.get_by_role("button", name="Révoquer « Mon script »").click()
    expect(page.get_by_text("Le jeton « Mon script » est révoqué.")).to_be_visible()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_documentation_page_draws_swagger_ui(page, live_server):
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_text("Helpdesk API").first).to_be_visible(timeout=15_000)
    expect(page.get_by_text("/api/v1/tickets/{id}/approve_closure/").first).to_be_visible()
    # Its scripts all come from the helpdesk; an inline style it tries is refused, harmlessly.
    assert not [e for e in errors if "script-src" in e], errors
