from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from accounts import landing, sso


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Local sign-up only where the deployment allows it; people normally come through SSO."""
        return settings.ACCOUNT_ALLOW_SIGNUP

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where the person works (agents land on the desk, see accounts.landing), else
        LOGIN_REDIRECT_URL. For every sign-in, local or SSO; a `next` link still wins (allauth
        reads it before asking here)."""
        return landing.landing_url(request.user) or super().get_login_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        """Everyone the university's identity provider vouches for may use the helpdesk."""
        return True

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict) -> Any:
        """A new person gets the name, email and language the identity provider states."""
        user = super().populate_user(request, sociallogin, data)
        profile = sso.claimed_profile(sociallogin.account)
        full_name = (
            profile.full_name
            or (data.get("name") or "").strip()
            or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        )
        if full_name:
            user.full_name = full_name[:200]
        if user.email:
            user.email = user.email.strip().lower()
        if profile.language:
            user.preferred_language = profile.language
        return user

    def authenticate_by_email(self, sociallogin: Any) -> tuple[Any, str] | None:
        """With SSO_TRUST_EMAIL, the IdP's address finds an account created here beforehand.

        University identity providers rarely send `email_verified`; the university's directory is
        the authority on its addresses, so they count as verified. allauth still removes the local
        password of an account whose address was never verified here, locking out whoever set it.
        """
        if getattr(settings, "SSO_TRUST_EMAIL", False):
            for address in sociallogin.email_addresses:
                address.verified = True
        return super().authenticate_by_email(sociallogin)

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """On a returning person's sign-in, their name follows what the identity provider says now.

        allauth has already stored the fresh claims on the social account when this runs. The email
        is left alone: it is the local login and may have been verified or changed here.
        """
        super().pre_social_login(request, sociallogin)
        if not sociallogin.is_existing:
            return
        user = sociallogin.user
        full_name = sso.claimed_profile(sociallogin.account).full_name[:200]
        if full_name and full_name != user.full_name:
            user.full_name = full_name
            user.save(update_fields=["full_name"])
