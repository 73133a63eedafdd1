"""Logging in with a local account (email and password), and what the login page offers."""

from __future__ import annotations

import re

import pytest
from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from helpdesk import settings as helpdesk_settings
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db]

OIDC_VARIABLES = {
    "SSO_OIDC_SERVER_URL": "https://sso.univ.example/oidc",
    "SSO_OIDC_CLIENT_ID": "helpdesk",
    "SSO_OIDC_CLIENT_SECRET": "s3cret",
    "SSO_OIDC_LABEL": "Connexion Université de Lorraine",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_sso(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}


@pytest.fixture
def oidc(settings):
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(OIDC_VARIABLES)


def allauth_message(code: str) -> str:
    """allauth's error text, as the (French) page shows it."""
    with translation.override("fr"):
        return str(get_adapter().error_messages[code])


def login_url(next_url: str = "") -> str:
    url = reverse("account_login")
    return f"{url}?next={next_url}" if next_url else url


def test_login_page_is_french_by_default_with_one_heading(client, no_sso):
    """The login page speaks French first and has a single h1 and labelled fields."""
    response = client.get(login_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "fr"
    assert html.count("<h1") == 1
    assert re.search(r'<label class="form-label" for="id_login">', html)
    assert re.search(r'<label class="form-label" for="id_password">', html)


def test_login_page_in_english(client, no_sso):
    """With English chosen, the same page is in English."""
    client.cookies["django_language"] = "en"
    response = client.get(login_url())
    assert response.headers["Content-Language"] == "en"
    assert ">Log in</h1>" in response.content.decode()


def test_no_sso_button_without_provider(client, no_sso):
    """Where no identity provider is configured, the page shows no SSO button."""
    html = client.get(login_url()).content.decode()
    assert "data-sso-provider" not in html
    assert "/accounts/oidc/" not in html


def test_sso_button_comes_first_with_its_label(client, oidc):
    """The configured SSO button, with its label, comes before the email/password form."""
    html = client.get(login_url("/profile/")).content.decode()
    assert "Connexion Université de Lorraine" in html
    button = html.index("Connexion Université de Lorraine")
    assert button < html.index('name="login"')
    # The button posts to the provider's login view and carries the deep link along.
    assert 'action="/accounts/oidc/university/login/?process=login&amp;next=%2Fprofile%2F"' in html


def test_successful_local_login_follows_the_deep_link(client, no_sso):
    """After logging in, a person lands on the page they first asked for."""
    user = UserFactory(email="camille@univ.example")
    first = client.get(reverse("accounts:profile"))
    assert first.status_code == 302
    assert first["Location"] == login_url("/profile/")
    response = client.post(
        first["Location"],
        {"login": "camille@univ.example", "password": DEFAULT_PASSWORD, "next": "/profile/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_ignores_an_outside_next(client, no_sso):
    """A `next` pointing to another site is not followed (no open redirect)."""
    UserFactory(email="camille@univ.example")
    response = client.post(
        login_url(),
        {
            "login": "camille@univ.example",
            "password": DEFAULT_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_wrong_password_shows_the_error_and_keeps_the_email(client, no_sso):
    """A wrong password re-renders the form with an error and the email already typed."""
    UserFactory(email="camille@univ.example")
    response = client.post(
        login_url("/profile/"),
        {"login": "camille@univ.example", "password": "not-the-password", "next": "/profile/"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert allauth_message("email_password_mismatch") in html
    assert 'value="camille@univ.example"' in html
    assert 'value="not-the-password"' not in html
    # The deep link survives the failed attempt.
    assert 'name="next" value="/profile/"' in html
    assert "_auth_user_id" not in client.session


def test_missing_email_is_reported_next_to_the_field(client, no_sso):
    """A field left empty is flagged on the field itself, for sighted and screen-reader users."""
    response = client.post(login_url(), {"login": "", "password": "x"})
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_login_errors"' in html
    assert re.search(r'aria-describedby="[^"]*id_login_errors', html)


def test_repeated_failures_are_rate_limited(client, no_sso):
    """After five failures for one email, even the right password is refused for a while."""
    UserFactory(email="camille@univ.example")
    for _ in range(5):
        client.post(login_url(), {"login": "camille@univ.example", "password": "wrong"})
    response = client.post(
        login_url(), {"login": "camille@univ.example", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert allauth_message("too_many_login_attempts") in response.content.decode()


def test_hammering_the_login_form_is_refused_in_the_site_layout(client, no_sso):
    """Many failed logins from one address are refused, with the reason, in the site's layout."""
    for i in range(35):
        client.post(login_url(), {"login": f"person{i}@univ.example", "password": "wrong"})
    UserFactory(email="camille@univ.example")
    response = client.post(
        login_url(), {"login": "camille@univ.example", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert allauth_message("too_many_login_attempts") in response.content.decode()
    assert 'id="main"' in response.content.decode()


def test_logout_confirmation_uses_the_site_layout(client, no_sso):
    """The logout confirmation page is a normal helpdesk page with a POST button."""
    client.force_login(UserFactory())
    response = client.get(reverse("account_logout"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="main"' in html
    assert html.count("<h1") == 1
    assert 'method="post"' in html
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_page_uses_the_site_layout(client, no_sso):
    """The password reset page (local accounts) is styled like the rest of the site."""
    response = client.get(reverse("account_reset_password"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="main"' in html
    assert 'class="form-control' in html
    assert html.count("<h1") == 1


def test_signup_is_closed_by_default(client, no_sso):
    """Local sign-up is off unless the deployment allows it; the page says how to log in."""
    response = client.get(reverse("account_signup"))
    html = response.content.decode()
    assert 'id="main"' in html
    assert reverse("account_login") in html
    assert "Create an account" not in client.get(login_url()).content.decode()


def test_provider_confirmation_page_on_get(client, oidc):
    """Opening the SSO link directly shows a confirmation page that posts to continue."""
    response = client.get("/accounts/oidc/university/login/?next=/profile/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Connexion Université de Lorraine" in html
    assert html.count("<h1") == 1
    assert 'method="post"' in html


@pytest.mark.parametrize(
    "url_name",
    [
        "account_email",
        "account_change_password",
        "socialaccount_connections",
        "account_reset_password_done",
    ],
)
def test_account_management_pages_use_the_site_layout(client, oidc, url_name):
    """The other allauth pages a logged-in person can reach render in the site's layout."""
    client.force_login(UserFactory())
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="main"' in html
    assert html.count("<h1") == 1


def test_unreachable_identity_provider_shows_the_failure_page(client, settings):
    """If the university's IdP is down, starting the SSO shows a sign-in failure, not a crash."""
    settings.SOCIALACCOUNT_PROVIDERS = helpdesk_settings.socialaccount_providers(
        {**OIDC_VARIABLES, "SSO_OIDC_SERVER_URL": "http://127.0.0.1:9/unreachable"}
    )
    response = client.post("/accounts/oidc/university/login/?process=login&next=/profile/")
    html = response.content.decode()
    assert response.status_code == 503
    assert "injoignable" in html
    assert 'id="main"' in html
    assert 'role="alert"' in html
    assert reverse("account_login") in html


def _signed_in_text(user, language: str) -> str:
    from allauth.account.utils import user_display
    from django.template.loader import render_to_string

    with translation.override(language):
        text = render_to_string("account/messages/logged_in.txt", {"user": user})
        return text.strip().replace("\n", " ") or user_display(user)


def _signed_out_text(language: str) -> str:
    from django.template.loader import render_to_string

    with translation.override(language):
        return render_to_string("account/messages/logged_out.txt").strip()


@pytest.mark.parametrize(("profile", "browser"), [("fr", "en"), ("en", "fr")])
def test_sign_in_and_sign_out_messages_speak_the_page_language(client, no_sso, profile, browser):
    """The sign-in message is written in the language of the page that shows it: the profile's,
    not the browser's; after the sign-out the page, and its message, speak the browser's."""
    import html as html_lib

    user = UserFactory(email="camille@univ.example", preferred_language=profile)
    headers = {"HTTP_ACCEPT_LANGUAGE": browser}
    response = client.post(
        login_url(), {"login": user.email, "password": DEFAULT_PASSWORD}, **headers
    )
    assert response.status_code == 302
    page = client.get(response["Location"], **headers).content.decode()
    assert f'<html lang="{profile}"' in page
    assert html_lib.escape(_signed_in_text(user, profile)) in page
    assert html_lib.escape(_signed_in_text(user, browser)) not in page

    response = client.post(reverse("account_logout"), **headers)
    assert response.status_code == 302
    page = client.get(response["Location"], **headers).content.decode()
    assert f'<html lang="{browser}"' in page
    assert html_lib.escape(_signed_out_text(browser)) in page
    assert html_lib.escape(_signed_out_text(profile)) not in page


def test_the_language_switcher_choice_wins_for_the_messages_too(client, no_sso):
    """Someone who chose English in the switcher reads the English page and message, whatever
    their profile and browser say."""
    import html as html_lib

    user = UserFactory(email="camille@univ.example", preferred_language="fr")
    client.cookies["django_language"] = "en"
    response = client.post(
        login_url(), {"login": user.email, "password": DEFAULT_PASSWORD}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en"' in page
    assert html_lib.escape(_signed_in_text(user, "en")) in page
