"""Views shared by requesters and agents: file downloads, and the page shown when a move is
refused.

`RefusalMiddleware` is the one place a refusal becomes a response: `refusal_response` turns a
`TransitionRefused` (or a `PermissionDenied` on the ticket pages) into a message and a 4xx page
(403 forbidden, 409 conflict, 400 missing text). Views raise and let it answer; a view whose htmx
requests expect a fragment in place (the desk's ticket panel) hands it the fragment to render
with `answer_refusals_with`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tickets.exceptions import TransitionRefused
from tickets.selectors import ticket_pages
from tickets.services import STORAGE_ERRORS

# Types a browser may be told; anything else is served as bytes.
SAFE_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/zip",
    }
)


_FRAGMENT_ATTR = "_helpdesk_refusal_fragment"


def answer_refusals_with(
    request: HttpRequest, fragment: Callable[[TransitionRefused], HttpResponse]
) -> None:
    """A refused move of this htmx request is answered with `fragment(refusal)` (the part of the
    page htmx swaps, with the message in it) instead of a reload."""
    setattr(request, _FRAGMENT_ATTR, fragment)


def refusal_response(request: HttpRequest, error: Exception) -> HttpResponse:
    """A message (shown by the page) and the refusal page with the refusal's status code.

    htmx requests get the view's own fragment if it gave one (`answer_refusals_with`); otherwise
    the same status, a bare alert and `HX-Refresh`: htmx does not swap 4xx responses, so the page
    reloads and shows the message.
    """
    fragment = getattr(request, _FRAGMENT_ATTR, None)
    if (
        fragment is not None
        and isinstance(error, TransitionRefused)
        and getattr(request, "htmx", False)
    ):
        return fragment(error)
    if isinstance(error, TransitionRefused):
        message = str(error.message)
        status = error.status_code
    else:
        message = str(error) if error.args and error.args[0] else ""
        message = message or _("You are not allowed to do this.")
        status = 403
    messages.error(request, message)
    if getattr(request, "htmx", False):
        # The message stays in the session for the reloaded page to show.
        response = HttpResponse(
            format_html('<div class="alert alert-danger" role="alert">{}</div>', message),
            status=status,
        )
        response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "tickets/refused.html",
        {"refusal_status": status, "back_url": _safe_back_url(request)},
        status=status,
    )


def _safe_back_url(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


class RefusalMiddleware:
    """Every view's `TransitionRefused` becomes the refusal page (status kept).

    `PermissionDenied` is left to Django's 403 handling outside the ticket pages; inside them
    (`/tickets/`, `/desk/`) it gets the same page as a refused move.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TransitionRefused):
            return refusal_response(request, exception)
        if isinstance(exception, PermissionDenied) and request.path.startswith(
            ("/tickets/", "/desk/")
        ):
            return refusal_response(request, exception)
        return None


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Sends a ticket's file to someone who may see it, always as a download.

    404 for anyone else (and for internal files asked by a requester): a 403 would confirm the
    file exists. The stored name is random; the person gets the original name (RFC 6266).
    """
    attachment = ticket_pages.attachment_for_download(pk, attachment_pk, request.user)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("No file found.")) from error
    except STORAGE_ERRORS:
        # The S3 server or the disk does not answer: say so, the file is not lost.
        return render(
            request,
            "503.html",
            {"message": _("The file storage does not answer. Please try again in a few minutes.")},
            status=503,
        )
    content_type = (
        attachment.content_type
        if attachment.content_type in SAFE_CONTENT_TYPES
        else "application/octet-stream"
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
