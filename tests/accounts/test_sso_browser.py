"""Signing in through the university SSO, end to end, against a real OpenID Connect provider.

The provider is the small Django project in tests/sso_idp (django-oauth-toolkit), started in its
own process on 127.0.0.1; the helpdesk under test is pytest-django's live server, pointed at it
with the same settings structure production builds from the SSO_* variables.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from helpdesk import settings as helpdesk_settings
from tests.browser.helpers import check_accessibility
from tests.support import free_port, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LABEL = "Connexion Université de Lorraine"
PROVIDER_ID = "university"


@dataclass
class IdentityProvider:
    """The running test provider and the one person it knows."""

    base_url: str
    issuer: str
    client_id: str
    client_secret: str
    username: str
    password: str
    email: str
    database: Path

    def rename(self, first_name: str, last_name: str) -> None:
        """Changes the person's name at the provider, as a university directory update would."""
        with sqlite3.connect(self.database) as connection:
            connection.execute(
                "UPDATE auth_user SET first_name = ?, last_name = ? WHERE username = ?",
                (first_name, last_name, self.username),
            )


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"The test identity provider exited:\n{log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local http
                return response.status == 200 and bool(json.load(response).get("issuer"))
        except OSError:
            return False

    if not wait_until(answers, timeout):
        pytest.fail(f"The test identity provider did not answer {url}:\n{log.read_text()}")


@pytest.fixture(scope="module")
def identity_provider(live_server, tmp_path_factory) -> Iterator[IdentityProvider]:
    """A real OpenID Connect provider in a subprocess, with the helpdesk registered as a client."""
    data_dir = tmp_path_factory.mktemp("sso_idp")
    port = free_port()
    idp = IdentityProvider(
        base_url=f"http://127.0.0.1:{port}",
        issuer=f"http://127.0.0.1:{port}/o",
        client_id="helpdesk-test",
        client_secret="helpdesk-test-secret",
        username="clefevre",
        password="mot-de-passe-universite",
        email="Camille.Lefevre@univ-lorraine.example",
        database=data_dir / "idp.sqlite3",
    )
    callback = f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/"
    environment = {
        **os.environ,
        "SSO_IDP_DATA_DIR": str(data_dir),
        "SSO_IDP_PORT": str(port),
        "SSO_IDP_CLIENT_ID": idp.client_id,
        "SSO_IDP_CLIENT_SECRET": idp.client_secret,
        "SSO_IDP_REDIRECT_URI": callback,
        "SSO_IDP_USER": json.dumps(
            {
                "username": idp.username,
                "password": idp.password,
                "email": idp.email,
                "first_name": "Camille",
                "last_name": "Lefèvre",
            }
        ),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    log = data_dir / "idp.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.sso_idp.serve"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{idp.issuer}/.well-known/openid-configuration", process, log)
        yield idp
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def sso_settings(settings, identity_provider: IdentityProvider) -> IdentityProvider:
    """The helpdesk configured for the test provider, exactly as SSO_* variables would do it."""
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(
        {
            "SSO_OIDC_SERVER_URL": identity_provider.issuer,
            "SSO_OIDC_CLIENT_ID": identity_provider.client_id,
            "SSO_OIDC_CLIENT_SECRET": identity_provider.client_secret,
            "SSO_OIDC_PROVIDER_ID": PROVIDER_ID,
            "SSO_OIDC_LABEL": LABEL,
        }
    )
    return identity_provider


def sign_in_at_provider(page, idp: IdentityProvider) -> None:
    """What the person does on the university's sign-in page."""
    page.wait_for_url(f"{idp.base_url}/login/**")
    page.get_by_label("Identifiant").fill(idp.username)
    page.get_by_label("Mot de passe").fill(idp.password)
    page.get_by_role("button", name="Se connecter").click()


def sso_sign_in(page, live_server, idp: IdentityProvider, deep_link: str = "/profile/") -> None:
    """Opens a deep link logged out, goes through the SSO and lands back on it."""
    page.goto(f"{live_server.url}{deep_link}")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_role("button", name=LABEL).click()
    sign_in_at_provider(page, idp)
    page.wait_for_url(f"{live_server.url}{deep_link}")


def test_sso_sign_in_brings_the_person_back_to_the_deep_link(
    page, live_server, sso_settings, artifacts_dir
):
    """A logged-out person opening /profile/ signs in with the university and lands on it.

    The account is created from the provider's claims: name and email.
    """
    idp = sso_settings
    idp.rename("Camille", "Lefèvre")

    page.goto(f"{live_server.url}/profile/")
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/profile/$"))
    assert page.locator("h1").count() == 1
    sso_button = page.get_by_role("button", name=LABEL)
    email_field = page.locator("#id_login")
    # The SSO button comes first, above the local email/password form.
    assert sso_button.bounding_box()["y"] < email_field.bounding_box()["y"]
    page.screenshot(path=str(artifacts_dir / "login-sso-fr.png"), full_page=True)
    check_accessibility(page, "login page")

    sso_button.click()
    sign_in_at_provider(page, idp)
    page.wait_for_url(f"{live_server.url}/profile/")

    assert "Camille Lefèvre" in page.get_by_role("banner").inner_text()
    user = get_user_model().objects.get()
    assert user.email == "camille.lefevre@univ-lorraine.example"
    assert user.full_name == "Camille Lefèvre"
    assert user.preferred_language == "fr"
    # The directory's facts the provider released, as the audiences read them.
    assert user.affiliations == ["member", "student"]
    assert user.department == "UFR-MIM"
    account = SocialAccount.objects.get()
    assert account.user == user
    assert account.provider == PROVIDER_ID


def test_second_sso_sign_in_reuses_the_account_and_refreshes_the_name(
    browser, live_server, sso_settings
):
    """Signing in again is the same account; a name changed at the university is picked up."""
    idp = sso_settings
    idp.rename("Camille", "Lefèvre")
    first = browser.new_context(locale="fr-FR")
    try:
        sso_sign_in(first.new_page(), live_server, idp)
    finally:
        first.close()
    user = get_user_model().objects.get()
    assert user.full_name == "Camille Lefèvre"

    idp.rename("Camille", "Lefèvre-Martin")
    second = browser.new_context(locale="fr-FR")
    try:
        page = second.new_page()
        sso_sign_in(page, live_server, idp, deep_link="/profile/?tab=1")
        assert "Camille Lefèvre-Martin" in page.get_by_role("banner").inner_text()
    finally:
        second.close()

    assert get_user_model().objects.count() == 1
    assert SocialAccount.objects.filter(user=user).count() == 1
    user.refresh_from_db()
    assert user.full_name == "Camille Lefèvre-Martin"


def test_local_login_in_english_with_an_error_then_back_to_the_deep_link(
    browser, live_server, settings, artifacts_dir
):
    """In English: a wrong password shows the error with the email kept; then the deep link."""
    from django.core.cache import cache

    from tests.factories import DEFAULT_PASSWORD, UserFactory

    cache.clear()  # allauth's login rate limits live in the cache
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(
        {
            "SSO_OIDC_SERVER_URL": "http://127.0.0.1:9/o",
            "SSO_OIDC_CLIENT_ID": "x",
            "SSO_OIDC_LABEL": LABEL,
        }
    )
    UserFactory(
        email="agent@univ-lorraine.example", full_name="Alex Agent", preferred_language="en"
    )
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/profile/")
        page.wait_for_url(re.compile(r"/accounts/login/\?next=/profile/$"))
        assert page.locator("h1").inner_text() == "Log in"
        page.get_by_label("Email").fill("agent@univ-lorraine.example")
        page.get_by_label("Password").fill("not-my-password")
        page.get_by_role("button", name="Log in", exact=True).click()
        alert = page.get_by_role("alert")
        assert "not correct" in alert.inner_text()
        assert page.get_by_label("Email").input_value() == "agent@univ-lorraine.example"
        page.screenshot(path=str(artifacts_dir / "login-error-en.png"), full_page=True)
        check_accessibility(page, "login page with an error")

        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_url(f"{live_server.url}/profile/")
        assert "Alex Agent" in page.get_by_role("banner").inner_text()

        for path, name in [
            ("/accounts/logout/", "logout confirmation"),
            ("/accounts/oidc/university/login/", "SSO confirmation"),
        ]:
            page.goto(f"{live_server.url}{path}")
            assert page.locator("h1").count() == 1
            check_accessibility(page, name)
        page.goto(f"{live_server.url}/accounts/logout/")
        page.get_by_role("button", name="Log out").last.click()
        page.wait_for_url(f"{live_server.url}/")
        for path, name in [
            ("/accounts/password/reset/", "password reset"),
            ("/accounts/signup/", "sign-up closed"),
        ]:
            page.goto(f"{live_server.url}{path}")
            assert page.locator("h1").count() == 1
            page.screenshot(path=str(artifacts_dir / f"{name.replace(' ', '-')}-en.png"))
            check_accessibility(page, name)
    finally:
        context.close()


def test_sso_signs_into_the_account_an_administrator_created(page, live_server, sso_settings):
    """A person whose account was created beforehand lands in it and it gets linked to the SSO;
    the directory's facts the provider released are copied onto it."""
    from tests.factories import UserFactory

    idp = sso_settings
    idp.rename("Camille", "Lefèvre")
    existing = UserFactory(email=idp.email.lower(), full_name="C. Lefèvre")
    sso_sign_in(page, live_server, idp)

    assert get_user_model().objects.count() == 1
    assert SocialAccount.objects.get().user == existing
    existing.refresh_from_db()
    assert existing.full_name == "Camille Lefèvre"
    assert existing.affiliations == ["member", "student"]
    # Whoever set that account's password before (never verified here) can no longer use it.
    assert not existing.has_usable_password()
