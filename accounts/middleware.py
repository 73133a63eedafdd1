import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

logger = logging.getLogger(__name__)


def page_language(request: HttpRequest, user: Any = None) -> str:
    """The language pages speak to this request's person: the switcher's choice (the cookie), else
    the profile's for a signed-in `user`, else what LocaleMiddleware reads (the browser's).

    `user` defaults to the request's; an AnonymousUser gives the language of the page after a
    sign-out.
    """
    if user is None:
        user = getattr(request, "user", None)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and translation.check_for_language(chosen):
        return translation.get_supported_language_variant(chosen)
    if user is not None and user.is_authenticated:
        return user.language
    return translation.get_language_from_request(request)


class UserLanguageMiddleware:
    """Speaks to a logged-in person in the language of their profile.

    An explicit choice in the language switcher (the cookie) still wins for the page at hand.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SSOUnavailableMiddleware:
    """Shows an unreachable identity provider as a failed sign-in (503), not a server error.

    Starting an SSO sign-in fetches the provider's configuration (OIDC discovery, SAML metadata),
    a CAS sign-in validates its ticket with the server; a network error there escapes, while the
    same error later in the OIDC and SAML flows already ends on the sign-in failure page.
    """

    LOGIN_VIEWS = frozenset({"openid_connect_login", "saml_login", "cas_login"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        match = request.resolver_match
        # requests' errors are OSErrors, like urllib's (used for SAML metadata).
        if match is None or match.url_name not in self.LOGIN_VIEWS:
            return None
        if not isinstance(exception, OSError):
            return None
        logger.warning("Identity provider unreachable at %s: %s", request.path, exception)
        return render(
            request, "socialaccount/authentication_error.html", {"unreachable": True}, status=503
        )
