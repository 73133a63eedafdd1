"""How the API knows who calls: a bearer token (hashed, scoped, expiring, revocable) or the
session with its CSRF token; never a token in an address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api import services
from api.models import ApiToken, token_digest
from tests.api.conftest import TokenClient
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_as_its_digest_only():
    user = UserFactory()
    token, secret = services.token_create(user=user, name="script", days=30)
    assert secret.startswith("hdk_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == token_digest(secret)
    assert secret not in {stored.digest, stored.hint, stored.name}
    assert TokenClient(secret).get("/api/v1/me/").json()["email"] == user.email


def test_a_personal_token_expires_within_a_year():
    token, _secret = services.token_create(user=UserFactory(), name="long", days=10_000)
    assert token.expires_at <= timezone.now() + timedelta(days=365)


@pytest.mark.parametrize("state", ["revoked", "expired", "inactive", "unknown"])
def test_an_unusable_token_is_refused(state):
    user = UserFactory()
    token, secret = services.token_create(user=user, name="script", days=30)
    if state == "revoked":
        services.token_revoke(token=token, actor=user)
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(1))
    elif state == "inactive":
        user.is_active = False
        user.save()
    else:
        secret += "x"
    response = TokenClient(secret).get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response["Content-Type"] == "application/problem+json"


def test_a_token_in_the_address_is_refused_even_when_valid():
    _token, secret = services.token_create(user=UserFactory(), name="script", days=30)
    for name in ("token", "access_token", "api_key"):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/me/?{name}={secret}")
        assert response.status_code == 400
        assert "Authorization header" in response.json()["detail"]


def test_a_read_token_reads_but_never_writes():
    category = CategoryFactory()
    user = UserFactory()
    _token, secret = services.token_create(user=user, name="r", scope=ApiToken.Scope.READ)
    client = TokenClient(secret)
    assert client.get("/api/v1/tickets/").status_code == 200
    response = client.post(
        "/api/v1/tickets/",
        {"category": category.slug, "subject": "S", "description": "D"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "write scope" in response.json()["detail"]
    assert not user.requested_tickets.exists()


def test_a_service_token_acts_as_its_account_and_may_live_until_revoked():
    account = UserFactory(email="apogee@univ.example")
    token, secret = services.token_create(
        user=account, name="SI", kind=ApiToken.Kind.SERVICE, days=None
    )
    assert token.expires_at is None
    assert TokenClient(secret).get("/api/v1/me/").json()["email"] == "apogee@univ.example"


def test_the_session_works_and_its_writes_need_the_csrf_token():
    category = CategoryFactory()
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 200
    body = {"category": category.slug, "subject": "Printer", "description": "Jammed."}
    response = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    client.get("/profile/")  # sets the CSRF cookie, as any page does
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/tickets/", body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201


def test_a_person_creates_and_revokes_their_token_on_the_profile_page():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get("/profile/")
    assert b'id="api-tokens"' in page.content
    response = client.post(
        "/profile/tokens/", {"token-name": "my script", "token-scope": "write", "token-days": "7"}
    )
    assert response.status_code == 201
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=user)
    assert token.scope == "write" and token.name == "my script"
    assert TokenClient(secret).get("/api/v1/me/").status_code == 200
    # The profile lists it by its first characters, never the secret.
    page = client.get("/profile/")
    assert token.hint.encode() in page.content and secret.encode() not in page.content
    # Another person cannot revoke it; its owner can, and it stops working at once.
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert TokenClient(secret).get("/api/v1/me/").status_code == 401


def test_an_invalid_token_form_is_shown_again_with_its_errors():
    client = Client()
    client.force_login(UserFactory())
    response = client.post("/profile/tokens/", {"token-name": "", "token-scope": "admin"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_persons_tokens_are_in_their_data_and_go_when_they_are_forgotten():
    from accounts import personal_data

    user = UserFactory()
    _token, secret = services.token_create(user=user, name="script", days=30)
    exported = personal_data.export(user)["api_tokens"]
    assert [entry["name"] for entry in exported] == ["script"]
    assert secret not in str(exported)
    personal_data.anonymize(user)
    assert not ApiToken.objects.filter(user=user).exists()


def test_an_administrator_creates_a_service_token_in_the_admin_and_sees_it_once():
    account = UserFactory(email="monitoring@univ.example")
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = admin.post(
        "/admin/api/apitoken/add/",
        {"user": account.pk, "name": "Monitoring", "kind": "service", "scope": "read"},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=account)
    shown = [str(m) for m in response.context["messages"] if "hdk_" in str(m)]
    secret = shown[0].split()[-1]
    assert token_digest(secret) == token.digest and token.expires_at is None
    assert TokenClient(secret).get("/api/v1/me/").json()["email"] == "monitoring@univ.example"
    # A personal token made there must expire: the form says so instead of failing.
    response = admin.post(
        "/admin/api/apitoken/add/",
        {"user": account.pk, "name": "Forever", "kind": "personal", "scope": "read"},
    )
    assert response.status_code == 200
    assert not ApiToken.objects.filter(name="Forever").exists()
