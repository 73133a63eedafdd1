from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Local sign-up only where the deployment allows it; people normally come through SSO."""
        return settings.ACCOUNT_ALLOW_SIGNUP


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Everyone the university's identity provider vouches for may use the helpdesk."""
        return True

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict) -> Any:
        """Takes the person's name and email from the identity provider's claims."""
        user = super().populate_user(request, sociallogin, data)
        extra = sociallogin.account.extra_data or {}
        claims = extra.get("userinfo", extra) if isinstance(extra, dict) else {}
        full_name = (
            data.get("name")
            or claims.get("name")
            or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        )
        if full_name:
            user.full_name = full_name.strip()
        if user.email:
            user.email = user.email.lower()
        locale = (claims.get("locale") or "")[:2].lower()
        if locale in {"fr", "en"}:
            user.preferred_language = locale
        return user
