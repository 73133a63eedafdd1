import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

logger = logging.getLogger(__name__)


class UserLanguageMiddleware:
    """Speaks to a logged-in person in the language of their profile.

    An explicit choice in the language switcher (the cookie) still wins for the page at hand.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from django.conf import settings

            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SSOUnavailableMiddleware:
    """Shows an unreachable identity provider as a failed sign-in (503), not a server error.

    Starting an SSO sign-in fetches the provider's configuration (OIDC discovery, SAML metadata);
    allauth lets a network error there escape, while the same error later in the flow already
    ends on the sign-in failure page.
    """

    LOGIN_VIEWS = frozenset({"openid_connect_login", "saml_login"})

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
