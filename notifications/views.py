"""The one page of notifications: switching an email off from its link, without signing in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import unsubscribe


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" with no cookie and no CSRF token;
# the signed token is the proof. A GET only shows the button, so that a link checker or a mail
# scanner that opens links switches nothing off.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """Asks to confirm (GET) or switches the email off (POST); a bad link answers 400."""
    unsubscription = unsubscribe.read_token(token)
    if unsubscription is None:
        return _render(request, "invalid", None, status=400)
    if request.method == "POST":
        if not unsubscribe.switch_off(unsubscription):
            return _render(request, "invalid", None, status=400)
        return _render(request, "done", unsubscription)
    return _render(request, "confirm", unsubscription)


def _render(
    request: HttpRequest,
    state: str,
    unsubscription: unsubscribe.Unsubscription | None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {"state": state, "preference": unsubscription.label if unsubscription else ""}
    return render(request, "notifications/unsubscribe.html", context, status=status)
