"""When the cache (Redis) is unreachable, the per-person limits let people keep working."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory

from helpdesk import ratelimit
from tests.factories import UserFactory

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
