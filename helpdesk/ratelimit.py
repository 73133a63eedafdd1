"""Per-person rate limits on writes (filing tickets, comments), counted in the cache.

A rate is written "<count>/<period>" with the period in seconds or with a unit: "10/10m" is ten
attempts in ten minutes, "100/1h", "5/30s". An empty rate or a count of 0 turns the limit off.
The counter is one cache key per person and action, created with its expiry and incremented
atomically (`cache.add` then `cache.incr`): the same code works with the local memory cache and
with Redis, and parallel requests of one person cannot slip past the limit.

A limit reached is logged with the person and their address (`accounts.client.client_ip`, the
address allauth's sign-in limits count too).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.client import client_ip

logger = logging.getLogger(__name__)

# The text of templates/429.html, for the message an htmx request gets.
TOO_MANY_MESSAGE = gettext_noop(
    "Too many attempts were made from your connection in a short time. Please wait a few "
    "minutes, then try again."
)
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd]?)\s*$")


def parse_rate(rate: str) -> tuple[int, int] | None:
    """(count, seconds) from "10/10m"; None when the limit is off ("" or "0/...")."""
    if not rate or not rate.strip():
        return None
    match = RATE_PATTERN.match(rate)
    if match is None:
        raise ImproperlyConfigured(
            f"Invalid rate {rate!r}: expected <count>/<period>, e.g. 10/10m or 30/600."
        )
    count, amount, unit = match.groups()
    seconds = int(amount or 1) * UNITS[unit]
    if int(count) == 0:
        return None
    return int(count), seconds


def hit(key: str, limit: int, period: int) -> bool:
    """Counts one attempt; False once more than `limit` were made within `period` seconds."""
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this attempt opens a new period.
        cache.add(key, 1, timeout=period)
        count = 1
    return count <= limit


def limit_exceeded(request: HttpRequest, setting: str, scope: str) -> bool:
    """Counts this request against the person's limit for `scope`; True once it is exceeded.

    Only POSTs by logged-in people count (GETs and anonymous visitors change nothing).
    """
    if request.method != "POST" or not request.user.is_authenticated:
        return False
    rate = parse_rate(getattr(settings, setting, ""))
    if rate is None:
        return False
    limit, period = rate
    try:
        allowed = hit(f"ratelimit:{scope}:{request.user.pk}", limit, period)
    except Exception:
        # The cache (Redis) is unreachable: people keep working, unlimited until it is back,
        # rather than every write failing (tests/reliability/test_faults.py).
        logger.warning("Rate limit %s not counted: the cache is unreachable.", scope, exc_info=True)
        return False
    if not allowed:
        logger.warning(
            "Rate limit %s reached by person %s from %s.",
            scope,
            request.user.pk,
            client_ip(request),
        )
    return not allowed


def too_many(request: HttpRequest) -> HttpResponse:
    """The readable "Too many attempts" page, status 429.

    htmx does not swap a 429 answer: an htmx request gets the same status, the explanation as a
    message and `HX-Refresh`, so the reloaded page says why nothing happened.
    """
    if getattr(request, "htmx", False):
        messages.error(request, _(TOO_MANY_MESSAGE))
        response = HttpResponse(status=429)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "429.html", status=429)


def rate_limited(setting: str, scope: str) -> Callable:
    """Decorator: POSTs by one logged-in person are limited to the rate in `settings.<setting>`.

    GET requests and anonymous visitors are not counted (the views ask them to log in first).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if limit_exceeded(request, setting, scope):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
