"""Rate limits of the API, counted in the cache (Redis in production, so every web node counts
the same requests): per person or token for those who say who they are, per address otherwise,
and a tighter one for writes. Rates come from the settings (`API_RATE_*`)."""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class SettingsRate:
    """Reads the rate when a request comes (DRF reads it once, at import)."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or None


class ReadThrottle(SettingsRate, UserRateThrottle):
    scope = "user"


class AnonThrottle(SettingsRate, AnonRateThrottle):
    scope = "anon"


class WriteThrottle(SettingsRate, UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) count against their own, smaller budget."""

    scope = "write"

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
