"""The address of the person making a request, behind the deployment's reverse proxies.

Every rate limit counts it: allauth's sign-in limits (accounts.adapters) and the per-person limits
(helpdesk.ratelimit) in what they log.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    """The address written in a header item ("203.0.113.7", "[2001:db8::1]:443"), or None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]  # IPv4 with a port
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The address of the person making the request.

    With `TRUSTED_PROXY_COUNT` = 0 (no proxy) it is REMOTE_ADDR. Behind N proxies, each appends
    the address it received the request from to X-Forwarded-For, so the client is the N-th item
    from the right: items further left were written by the client and are ignored. A header with
    fewer items than proxies (a request that did not come through them) gives REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        items = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(items) >= proxies:
            forwarded = _address(items[-proxies])
            if forwarded is not None:
                return forwarded
    return _address(remote) or remote or "unknown"
