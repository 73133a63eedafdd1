"""Security headers every page carries: Content-Security-Policy and Permissions-Policy.

Django's SecurityMiddleware already sends HSTS (production), X-Content-Type-Options,
Referrer-Policy and Cross-Origin-Opener-Policy; XFrameOptionsMiddleware sends X-Frame-Options.
This module adds the policy that makes an injected script or style inert: only files served by
the helpdesk itself run, no inline script, no inline style, no plugin, no framing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Features no page of the helpdesk uses; a script that got in cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def sso_origins(providers: dict[str, Any] | None = None) -> list[str]:
    """Origins of the configured identity providers, in a stable order.

    The SSO button posts a form that the helpdesk answers with a redirect to the provider;
    Chromium applies `form-action` to that redirect, so the provider's origin must be listed.
    """
    if providers is None:
        providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    urls: list[str] = []
    for provider in providers.values():
        for app in provider.get("APPS", []):
            app_settings = app.get("settings", {})
            urls.append(app_settings.get("server_url", ""))
            idp = app_settings.get("idp", {})
            urls.extend([idp.get("sso_url", ""), idp.get("metadata_url", "")])
    # The CAS button and the sign-out after a CAS sign-in are forms answered by a redirect there.
    urls.append(getattr(settings, "CAS_SERVER_URL", None) or "")
    origins: list[str] = []
    for url in urls:
        origin = _origin(url or "")
        if origin and origin not in origins:
            origins.append(origin)
    return origins


def content_security_policy(
    form_targets: Iterable[str] = (), frame_ancestors: Iterable[str] = ()
) -> str:
    """The policy of HTML pages: everything from the helpdesk's own origin, nothing inline.
    `frame_ancestors`: the origins that may frame the page (none, unless a page lists some)."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": list(frame_ancestors) or ["'none'"],
        "form-action": ["'self'", *form_targets],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy headers to every response.

    A view that sets its own policy (file downloads: `default-src 'none'; sandbox`) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(sso_origins())
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
