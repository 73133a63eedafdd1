"""The people around a ticket: inviting someone, leaving, following a ticket as an agent, and
filing a ticket for someone (the desk's "File for someone").

A person is named by name or email address: an address is taken as it is (the helpdesk makes a
pending account for an unknown one, see `accounts.pending`); a name is looked up with
`accounts.directory.search_people`, and when it finds several people the page lists them to
choose from. Every write goes through `tickets.workflow` or `tickets.services`; a refused move
becomes a 403/409 page through `RefusalMiddleware`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import pending
from accounts.directory import Person, search_people
from helpdesk import ratelimit
from tickets import permissions, services, workflow
from tickets.forms_people import InviteForm, OnBehalfForm, PersonForm
from tickets.models import Invitation, Ticket
from tickets.moves import Move
from tickets.selectors import ticket_pages

# How many people a name may find before the page asks for more of it.
MAX_CANDIDATES = 10
# The largest primary key the database can hold (a signed 64-bit integer).
BIGGEST_ID = 2**63 - 1


@dataclass
class Found:
    """What a name or an address gave: one account, or people to choose from, or an error."""

    user: Any = None
    candidates: list[Person] = field(default_factory=list)


def find_person(form: PersonForm) -> Found:
    """The person the (valid) form names; adds an error to the form when there is none."""
    chosen = (form.cleaned_data.get("person") or "").strip()
    who = form.cleaned_data["who"].strip()
    if chosen or "@" in who:
        try:
            return Found(user=pending.pending_account(chosen or who))
        except ValidationError as error:
            form.add_error("who", error)
            return Found()
    candidates = search_people(who, limit=MAX_CANDIDATES + 1)
    if not candidates:
        form.add_error(
            "who",
            _("Nobody was found with this name. Check it, or type their email address."),
        )
        return Found()
    if len(candidates) > MAX_CANDIDATES:
        form.add_error("who", _("Too many people have this name: type more of it."))
        return Found()
    if len(candidates) == 1:
        only = candidates[0]
        return Found(user=only.user or pending.pending_account(only.email))
    return Found(candidates=candidates)


# --- Invitations -----------------------------------------------------------------------------


def _visible_ticket(request: HttpRequest, pk: int) -> Ticket:
    return get_object_or_404(
        ticket_pages.tickets_visible_to(request.user).select_related("service", "requester"),
        pk=pk,
    )


def _render_invite(
    request: HttpRequest, ticket: Ticket, form: InviteForm, found: Found | None = None, status=200
) -> HttpResponse:
    context = {"ticket": ticket, "form": form, "candidates": found.candidates if found else []}
    return render(request, "tickets/invite.html", context, status=status)


@login_required
@ratelimit.rate_limited("COMMENT_RATE", "invite")
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Inviter quelqu'un": the requester or an agent names a person to follow the ticket."""
    ticket = _visible_ticket(request, pk)
    if not permissions.can_invite(ticket, request.user):
        raise workflow.refusal(Move.INVITE, ticket, request.user)
    if request.method != "POST":
        return _render_invite(request, ticket, InviteForm())
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_invite(request, ticket, form, status=400)
    found = find_person(form)
    if found.user is None:
        status = 400 if form.errors else 200
        return _render_invite(request, ticket, form, found, status=status)
    workflow.invite(ticket, request.user, found.user)
    messages.success(
        request,
        _("%(name)s is invited: they will receive the ticket's news by email.")
        % {"name": found.user.display_name},
    )
    return redirect(ticket)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ne plus suivre": an invited person leaves the ticket, and no longer sees it."""
    ticket = _visible_ticket(request, pk)
    workflow.leave(ticket=ticket, actor=request.user)
    messages.success(
        request,
        _("You no longer follow the ticket %(reference)s.") % {"reference": ticket.reference},
    )
    return redirect("tickets:mine")


@login_required
@require_POST
def uninvite(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """ "Retirer du ticket": the requester or an agent removes someone invited."""
    ticket = _visible_ticket(request, pk)
    if user_pk > BIGGEST_ID:
        # No such person; a foreign key's lookup would not say so by itself on every database.
        raise Http404
    invitation = get_object_or_404(
        Invitation.objects.select_related("user"), ticket=ticket, user_id=user_pk
    )
    workflow.uninvite(ticket=ticket, actor=request.user, person=invitation.user)
    messages.success(
        request,
        _("%(name)s no longer follows the ticket.") % {"name": invitation.user.display_name},
    )
    return redirect(ticket)


# --- Watchers --------------------------------------------------------------------------------


@login_required
@require_POST
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Suivre": an agent of the service follows the ticket without owning it."""
    ticket = _visible_ticket(request, pk)
    workflow.watch(ticket=ticket, actor=request.user)
    messages.success(request, _("You follow this ticket: its news reach you by email."))
    return redirect("desk:detail", pk=ticket.pk)


@login_required
@require_POST
def unwatch(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ne plus suivre": the agent stops following the ticket."""
    ticket = _visible_ticket(request, pk)
    workflow.unwatch(ticket=ticket, actor=request.user)
    messages.success(request, _("You no longer follow this ticket."))
    return redirect("desk:detail", pk=ticket.pk)


# --- Filing for someone ----------------------------------------------------------------------


def _render_file_for(
    request: HttpRequest, form: OnBehalfForm, found: Found | None = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "candidates": found.candidates if found else []}
    return render(request, "tickets/agent/file_for.html", context, status=status)


@login_required
@ratelimit.rate_limited("TICKET_CREATE_RATE", "ticket_create_for")
def file_for(request: HttpRequest) -> HttpResponse:
    """ "Saisir pour quelqu'un": an agent files the ticket of a caller, a visitor at the counter
    or an email's sender. The person owns it and gets the receipt; the ticket says who filed
    it."""
    if not permissions.can_use_desk(request.user):
        raise Http404(_("No page found."))
    if request.method != "POST":
        return _render_file_for(request, OnBehalfForm())
    form = OnBehalfForm(request.POST)
    if not form.is_valid():
        return _render_file_for(request, form, status=400)
    found = find_person(form)
    if found.user is None:
        return _render_file_for(request, form, found, status=400 if form.errors else 200)
    data = form.cleaned_data
    try:
        ticket = services.ticket_create(
            requester=found.user,
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            origin=data["origin"],
            filed_by=request.user,
            internal_note=data["internal_note"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_file_for(request, form, status=400)
    messages.success(
        request,
        _("Ticket %(reference)s filed for %(name)s, who receives its receipt by email.")
        % {"reference": ticket.reference, "name": found.user.display_name},
    )
    if permissions.can_view_internal(ticket, request.user):
        return redirect("desk:detail", pk=ticket.pk)
    return redirect("desk:file_for")
