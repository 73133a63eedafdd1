"""How a request to the API says who it is: the session (a same-site portal, with CSRF) or an
access token in the `Authorization: Bearer` header. A token is never read from a URL: a URL ends
up in logs, browser histories and Referer headers."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from api import services
from api.models import ApiToken

# Query parameters a client might put a token in: refused outright, so the mistake is seen.
TOKEN_PARAMETERS = ("token", "access_token", "api_key", "apikey", "bearer")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`: a usable token of an active person. One query."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        if any(name in request.query_params for name in TOKEN_PARAMETERS):
            raise exceptions.ParseError(
                _("Tokens are accepted in the Authorization header only, never in the address.")
            )
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header.")) from error
        token = services.token_for_secret(secret)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token is unknown, expired or revoked."))
        services.token_touch(token)
        if "HTTP_ACCEPT_LANGUAGE" not in request.META:
            # A program that names no language reads its person's, as their emails do.
            translation.activate(token.user.language)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The person signed in on the helpdesk (or a portal of the same site); writes need the CSRF
    token, as on the pages."""


class TokenScope(permissions.BasePermission):
    """A read-only token may only read; sessions and write tokens are not narrowed."""

    message = gettext_lazy("This token may only read: create a token with the write scope.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in permissions.SAFE_METHODS:
            return token.can_write
        return True


class BearerScheme(OpenApiAuthenticationExtension):
    """The token scheme, as the OpenAPI schema describes it."""

    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "A personal or service token."}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
