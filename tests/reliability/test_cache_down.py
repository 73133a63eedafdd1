"""When the cache (Redis) is unreachable, the per-person limits let people keep working, and
people still sign in (allauth's limits on failed sign-ins are not counted meanwhile)."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory

from helpdesk import ratelimit
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.reliability.harness import RedisServer

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once with "connection refused".
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_a_write_is_let_through_and_logged_when_the_cache_is_unreachable(settings, caplog):
    """The limit is not counted (a warning says so) instead of the write failing with a 500."""
    settings.CACHES = UNREACHABLE
    settings.COMMENT_RATE = "1/10m"
    request = RequestFactory().post("/desk/tickets/1/actions/comment/")
    request.user = UserFactory()
    with caplog.at_level(logging.WARNING, logger="helpdesk.ratelimit"):
        assert ratelimit.limit_exceeded(request, "COMMENT_RATE", "comment") is False
        assert ratelimit.limit_exceeded(request, "COMMENT_RATE", "comment") is False
    assert "the cache is unreachable" in caplog.text


# --- Signing in ----------------------------------------------------------------------------------


def sign_in(client, email: str, password: str) -> bool:
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code in {200, 302}, response.status_code
    signed_in = "_auth_user_id" in client.session
    client.logout()
    return signed_in


def test_sign_in_works_and_is_logged_when_the_cache_is_unreachable(client, settings, caplog):
    """allauth counts failed sign-ins in the cache: unreachable, they are not counted (a warning
    says so), the right password still signs in and a wrong one is still refused."""
    settings.CACHES = UNREACHABLE
    settings.SOCIALACCOUNT_PROVIDERS = {}
    person = UserFactory()
    with caplog.at_level(logging.WARNING, logger="accounts.adapters"):
        assert sign_in(client, person.email, DEFAULT_PASSWORD)
        assert not sign_in(client, person.email, "wrong")
        assert sign_in(client, person.email, DEFAULT_PASSWORD)
    assert "Failed sign-ins not counted: the cache is unreachable." in caplog.text


def test_sign_in_goes_on_while_a_real_redis_is_stopped(client, settings, caplog):
    """A redis-server of the test's own serves the limits, is stopped (sign-in goes on, uncounted),
    then started again (empty): the limits count again."""
    server = RedisServer()
    server.start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url,
            }
        }
        settings.SOCIALACCOUNT_PROVIDERS = {}
        person = UserFactory()
        assert sign_in(client, person.email, DEFAULT_PASSWORD)
        server.stop()
        with caplog.at_level(logging.WARNING, logger="accounts.adapters"):
            for _ in range(6):
                assert not sign_in(client, person.email, "wrong")
            assert sign_in(client, person.email, DEFAULT_PASSWORD)
        assert "the cache is unreachable" in caplog.text
        server.start()
        for _ in range(5):
            assert not sign_in(client, person.email, "wrong")
        assert not sign_in(client, person.email, DEFAULT_PASSWORD)  # counted again: refused
    finally:
        server.stop()
