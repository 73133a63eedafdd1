from __future__ import annotations

import dataclasses
import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import translation

from accounts import cas, client, landing, middleware, signin, sso
from accounts.text import clean_line

logger = logging.getLogger(__name__)


# Shown on the first page after the sign-out, which the person sees signed out.
SIGNED_OUT_MESSAGE = "account/messages/logged_out.txt"


class AccountAdapter(DefaultAccountAdapter):
    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """allauth writes its messages ("Successfully signed in", "You have signed out") in the
        language active during the request that adds them, which a sign-in or sign-out changes:
        each is written in the language of the page that will show it (accounts.middleware)."""
        user = AnonymousUser() if message_template == SIGNED_OUT_MESSAGE else None
        with translation.override(middleware.page_language(request, user)):
            super().add_message(
                request,
                level,
                message_template=message_template,
                message_context=message_context,
                extra_tags=extra_tags,
                message=str(message) if message is not None else None,
            )

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Local sign-up only where the deployment allows it; people normally come through SSO."""
        return settings.ACCOUNT_ALLOW_SIGNUP

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Where the person works (agents land on the desk, see accounts.landing), else
        LOGIN_REDIRECT_URL. For every sign-in, local or SSO; a `next` link still wins (allauth
        reads it before asking here)."""
        return landing.landing_url(request.user) or super().get_login_redirect_url(request)

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        """After a CAS sign-in, signing out goes on to the CAS server's sign-out (back here
        after it): otherwise the next click on the CAS button signs the person straight back in."""
        url = super().get_logout_redirect_url(request)
        if request.session.get(cas.SESSION_KEY) and settings.SSO_CAS_LOGOUT_COMPLETELY:
            return cas.logout_url(request, url)
        return url

    # --- Sign-in limits (ACCOUNT_RATE_LIMITS "login_failed"), counted in the cache --------------

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's limits count: the client's, behind TRUSTED_PROXY_COUNT proxies."""
        return client.client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The "key" of the failed sign-in limit is the address *and* the account: failures
        against an account from one address never lock its owner out from another."""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{self.get_client_ip(request)}:{account}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Counts the attempt; refuses it past the limits (logged). If the cache is unreachable
        the attempt is not counted (logged) rather than every sign-in failing."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            logger.warning(
                "Sign-in refused: too many failed attempts from %s (account %s).",
                self.get_client_ip(request),
                _login(credentials),
            )
            raise
        except Exception:
            logger.warning("Failed sign-ins not counted: the cache is unreachable.", exc_info=True)
            self._login_failed_rl_usage = None

    def _rollback_login_failed_rl_usage(self) -> None:
        """A successful sign-in does not count as a failure (allauth takes its attempt back);
        with the cache unreachable there is nothing to take back."""
        try:
            super()._rollback_login_failed_rl_usage()
        except Exception:
            logger.warning(
                "Sign-in attempt not uncounted: the cache is unreachable.", exc_info=True
            )

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        """A wrong password is logged with its address, for the operators' own tools."""
        logger.info(
            "Failed sign-in from %s (account %s).", self.get_client_ip(request), _login(credentials)
        )
        super().authentication_failed(request, **credentials)


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
            or clean_line(data.get("name") or "")
            or clean_line(" ".join(p for p in (data.get("first_name"), data.get("last_name")) if p))
        )
        if full_name:
            user.full_name = full_name[:200]
        if user.email:
            user.email = user.email.strip().lower()
        if profile.language:
            user.preferred_language = profile.language
        signin.apply_attributes(user, sso.claimed_directory(sociallogin.account), creating=True)
        setattr(user, signin.NEW_ACCOUNT, True)
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
        directory = sso.claimed_directory(sociallogin.account)
        signin.refresh_attributes(user, dataclasses.replace(directory, full_name=full_name))


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")
