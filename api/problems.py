"""Every error of the API as `application/problem+json` (RFC 9457).

A problem has a `type` (a URN naming the kind of error, stable for clients to test), a `title`,
the HTTP `status`, a `detail` fit to show to the person (translated), the `instance` (the path
asked) and, for invalid input, `errors`: the messages of each field. Refused moves keep the
pages' split: 403 when the person may never do this on this ticket, 409 when its status does not
allow it now, 400 when a required text is missing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tickets.exceptions import TextRequired, TransitionRefused

CONTENT_TYPE = "application/problem+json"
URN = "urn:helpdesk:problem:"


def problem(
    status_code: int,
    kind: str,
    title: str,
    detail: str,
    instance: str = "",
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem response."""
    body: dict[str, Any] = {
        "type": URN + kind,
        "title": title,
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=CONTENT_TYPE, headers=headers)


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(name): [str(message) for message in _flatten(messages)]
            for name, messages in detail.items()
        }
    return {"non_field_errors": [str(message) for message in _flatten(detail)]}


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [item for entry in value for item in _flatten(entry)]
    if isinstance(value, dict):
        return [item for entry in value.values() for item in _flatten(entry)]
    return [value]


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering with a problem document."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(error, TextRequired):
        return problem(400, "text-required", _("Text required"), str(error.message), instance)
    if isinstance(error, TransitionRefused):
        if error.status_code == TextRequired.BAD_REQUEST:
            # The move's input does not fit (a day in the past, a ticket of another service).
            return problem(400, "invalid", _("Invalid input"), str(error.message), instance)
        if error.status_code == TransitionRefused.FORBIDDEN:
            return problem(403, "move-forbidden", _("Not allowed"), str(error.message), instance)
        return problem(409, "move-conflict", _("Not possible now"), str(error.message), instance)
    if isinstance(error, DjangoValidationError):
        messages = [str(message) for message in error.messages]
        return problem(
            400,
            "invalid",
            _("Invalid input"),
            " ".join(messages),
            instance,
            errors={"non_field_errors": messages},
        )
    if isinstance(error, Http404):
        error = exceptions.NotFound(_("Not found."))
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    response = drf_exception_handler(error, context)
    if response is None:
        return None
    headers = {
        name: value
        for name, value in response.items()
        if name in {"WWW-Authenticate", "Retry-After", "Allow"}
    }
    if isinstance(error, exceptions.ValidationError):
        errors = _field_errors(error.detail)
        detail = " ".join(message for messages in errors.values() for message in messages)
        return problem(400, "invalid", _("Invalid input"), detail, instance, errors, headers)
    kinds = {
        status.HTTP_401_UNAUTHORIZED: ("unauthenticated", _("Authentication required")),
        status.HTTP_403_FORBIDDEN: ("forbidden", _("Not allowed")),
        status.HTTP_404_NOT_FOUND: ("not-found", _("Not found")),
        status.HTTP_405_METHOD_NOT_ALLOWED: ("method-not-allowed", _("Method not allowed")),
        status.HTTP_406_NOT_ACCEPTABLE: ("not-acceptable", _("Not acceptable")),
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: ("unsupported-media-type", _("Unsupported type")),
        status.HTTP_429_TOO_MANY_REQUESTS: ("rate-limited", _("Too many requests")),
    }
    kind, title = kinds.get(response.status_code, ("bad-request", _("Bad request")))
    detail = getattr(error, "detail", "")
    if not isinstance(detail, str):
        detail = " ".join(str(message) for message in _flatten(detail))
    return problem(response.status_code, kind, title, str(detail), instance, headers=headers)
