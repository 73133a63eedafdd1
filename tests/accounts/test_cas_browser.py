"""Signing in through CAS in Chromium, against a real CAS server (django-cas-server).

A person opens a link to their ticket (from an email), signs in at the university's CAS and lands
on that ticket; signing out at the CAS server (from any university application) ends their
helpdesk session too. The helpdesk is pytest-django's live server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from accounts.models import User
from tests.browser.helpers import check_accessibility
from tests.cas_server import CasServer, start_cas_server
from tests.factories import TicketFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICES = r"^http://(localhost|127\.0\.0\.1):\d+/accounts/cas/login/.*$"
PASSWORD = "mot-de-passe-universite"
EMAIL = "camille.lefevre@univ-lorraine.example"


@pytest.fixture(scope="module")
def cas_server(tmp_path_factory) -> Iterator[CasServer]:
    with start_cas_server(tmp_path_factory.mktemp("cas_browser"), SERVICES) as server:
        yield server


@pytest.fixture
def cas(settings, cas_server: CasServer) -> CasServer:
    settings.CAS_SERVER_URL = f"{cas_server.base_url}/cas/"
    settings.CAS_VERSION = "3"
    settings.SOCIALACCOUNT_PROVIDERS = {}
    settings.SSO_CAS_LABELS = {"fr": "", "en": ""}
    cas_server.add_person(
        "clefevre",
        PASSWORD,
        mail=EMAIL,
        displayName="Camille Lefèvre",
        eduPersonAffiliation=["staff", "member"],
        supannEntiteAffectation="DSI",
    )
    return cas_server


def sign_in_at_cas(page, cas: CasServer) -> None:
    """What the person does on the university's CAS page."""
    page.wait_for_url(f"{cas.base_url}/cas/login**")
    page.get_by_label("Identifiant").fill("clefevre")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_ticket_link_goes_through_cas_and_back_to_the_ticket(
    page, live_server, cas, artifacts_dir
):
    """Logged out, the person opens their ticket's link, signs in with CAS and reads the ticket;
    then signing out at the CAS server ends the helpdesk session."""
    requester = UserFactory(email=EMAIL, full_name="C. Lefèvre")
    ticket = TicketFactory(requester=requester, subject="Imprimante du bureau 204 en panne")
    deep_link = f"/tickets/{ticket.pk}/"

    page.goto(f"{live_server.url}{deep_link}")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/tickets/\d+/$"))
    button = page.get_by_role("button", name="Compte université (CAS)")
    assert button.bounding_box()["y"] < page.locator("#id_login").bounding_box()["y"]
    page.screenshot(path=str(artifacts_dir / "login-cas-fr.png"), full_page=True)
    check_accessibility(page, "login page with CAS")

    button.click()
    sign_in_at_cas(page, cas)
    page.wait_for_url(f"{live_server.url}{deep_link}")

    assert page.get_by_role("heading", name=re.compile("Imprimante du bureau 204")).count() >= 1
    assert "Camille Lefèvre" in page.get_by_role("banner").inner_text()
    assert User.objects.get() == requester
    requester.refresh_from_db()
    assert (requester.directory_id, requester.department) == ("clefevre", "DSI")
    assert requester.affiliations == ["member", "staff"]

    # Signing out of the university's CAS, e.g. from the ENT: the helpdesk forgets the session.
    page.goto(f"{cas.base_url}/cas/logout")
    page.goto(f"{live_server.url}{deep_link}")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/tickets/\d+/$"))


def test_the_cas_button_in_english_and_the_sign_out_through_cas(
    new_context, live_server, cas, artifacts_dir
):
    """In English the button speaks English; the helpdesk's sign-out goes through the CAS
    server's sign-out, so the next click on the button asks for the password again."""
    cas.add_person(
        "clefevre", PASSWORD, mail=EMAIL, displayName="Camille Lefèvre", preferredLanguage="en"
    )
    context = new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/profile/")
        page.wait_for_url(re.compile(r"/accounts/login/\?next=/profile/$"))
        button = page.get_by_role("button", name="University account (CAS)")
        page.screenshot(path=str(artifacts_dir / "login-cas-en.png"), full_page=True)
        check_accessibility(page, "login page with CAS, English")
        button.click()
        sign_in_at_cas(page, cas)
        page.wait_for_url(f"{live_server.url}/profile/")

        page.goto(f"{live_server.url}/accounts/logout/")
        page.get_by_role("button", name="Log out").last.click()
        # Through the CAS server's sign-out, which sends the person back to the helpdesk.
        page.wait_for_url(f"{live_server.url}/")

        page.goto(f"{live_server.url}/accounts/login/?next=/profile/")
        page.get_by_role("button", name="University account (CAS)").click()
        page.wait_for_url(f"{cas.base_url}/cas/login**")
        assert page.get_by_label("Mot de passe").is_visible()
    finally:
        context.close()
