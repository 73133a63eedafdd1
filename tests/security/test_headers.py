"""Security headers and cookies: a Content-Security-Policy without inline scripts or styles,
no framing, a strict referrer policy, and cookies the page's scripts cannot read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk import security
from tests.factories import DEFAULT_PASSWORD
from tests.production_env import PRODUCTION_ENV, settings_values
from tests.security.conftest import World


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


PAGES = [
    ("anonymous", "home"),
    ("anonymous", "account_login"),
    ("owner", "tickets:mine"),
    ("owner", "tickets:create"),
    ("agent", "desk:home"),
    ("agent", "desk:queue"),
    ("head", "desk:stats"),
    ("admin", "admin:index"),
]


@pytest.mark.parametrize(("role", "name"), PAGES)
def test_pages_carry_the_security_headers(role, name, world: World):
    """Every page: CSP without 'unsafe-inline', no framing, referrer and permissions policies."""
    client = Client()
    if world.user(role):
        client.force_login(world.user(role))
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"][0] == "'self'"
    assert policy["img-src"] == ["'self'", "data:"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_htmx_adds_no_inline_style(world: World):
    """htmx is told not to insert its indicator <style>, which the policy would refuse."""
    html = Client().get(reverse("home")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html


def test_downloads_keep_their_own_stricter_policy(world: World):
    """A file is served with `default-src 'none'; sandbox`, not with the pages' policy."""
    client = Client()
    client.force_login(world.user("owner"))
    url = reverse(
        "tickets:attachment", kwargs={"pk": world.ticket.pk, "attachment_pk": world.attachment.pk}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_form_action_lists_the_identity_providers(settings, db):
    """The SSO login redirects to the identity provider after a POST: its origin is allowed."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [{"settings": {"server_url": "https://idp.univ.example/realms/u/"}}]
        },
        "saml": {
            "APPS": [
                {
                    "settings": {
                        "idp": {"sso_url": "https://saml.univ.example:8443/sso", "entity_id": "x"}
                    }
                }
            ]
        },
    }
    response = Client().get(reverse("tickets:mine"))
    assert response.status_code == 302
    policy = _directives(response["Content-Security-Policy"])
    assert policy["form-action"] == [
        "'self'",
        "https://idp.univ.example",
        "https://saml.univ.example:8443",
    ]


def test_sso_origins_ignore_what_is_not_a_web_address():
    """Only http(s) origins are listed; an empty configuration lists none."""
    assert security.sso_origins({}) == []
    providers = {"x": {"APPS": [{"settings": {"server_url": "javascript:alert(1)"}}]}}
    assert security.sso_origins(providers) == []


def test_session_and_csrf_cookies_are_http_only_and_same_site(world: World):
    """Signing in sets a session cookie scripts cannot read, SameSite=Lax like the CSRF cookie."""
    client = Client()
    client.get(reverse("account_login"))
    response = client.post(
        reverse("account_login"),
        {"login": world.user("owner").email, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"


def test_language_cookie_is_http_only_and_same_site(db):
    """The language chosen in the menu is remembered in a cookie scripts cannot read."""
    response = Client().post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_cookies_are_secure_and_https_is_enforced():
    """In production: secure cookies (session, CSRF, language), HTTPS redirect and HSTS."""
    values = settings_values(
        PRODUCTION_ENV,
        [
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "LANGUAGE_COOKIE_SECURE",
            "SESSION_COOKIE_HTTPONLY",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "MIDDLEWARE",
        ],
    )
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["LANGUAGE_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert "helpdesk.security.SecurityHeadersMiddleware" in values["MIDDLEWARE"]


@pytest.mark.parametrize(
    "name",
    ["tickets:comment", "tickets:add_attachment", "tickets:cancel", "tickets:approve_closure"],
)
def test_a_post_without_its_csrf_token_is_refused(name, world: World):
    """A form posted from another site (no CSRF token) changes nothing: 403."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("owner"))
    response = client.post(reverse(name, kwargs={"pk": world.ticket.pk}), {"comment-text": "x"})
    assert response.status_code == 403
    assert not world.ticket.events.filter(text="x").exists()


def test_an_agent_move_without_its_csrf_token_is_refused(world: World):
    """The desk's moves need the token too."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("agent"))
    url = reverse("desk:action", kwargs={"pk": world.ticket.pk, "action": "reply"})
    assert client.post(url, {"reply-text": "x"}).status_code == 403
