"""The profile page's token pages: create a personal token (its secret shown once, on the page
that answers the creation) and revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import forms, services
from api.models import ApiToken


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """Creates the token and shows its secret, once (201); the form again with errors (400)."""
    form = forms.token_form(request.user, request.POST)
    if not form.is_valid():
        return render(request, "api/token_created.html", {"form": form}, status=400)
    token, secret = services.token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        days=form.cleaned_data["days"],
    )
    context = {"token": token, "secret": secret}
    response = render(request, "api/token_created.html", context, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revokes one of the person's tokens at once (another person's: 404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, kind=ApiToken.Kind.PERSONAL)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect(reverse("accounts:profile") + "#api-tokens")
