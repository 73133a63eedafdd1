"""The agent's ticket page (/desk/tickets/<n>/) and its moves.

Reads come from `tickets.selectors`; every move goes through `tickets.workflow` or
`tickets.services`. The page holds the conversation and the reply box; each other move's form
opens on demand from the ACTIONS menu (`move`: a fragment with htmx, a page of its own without
JavaScript). Each move is a plain POST form that redirects back with a message; with htmx the
same view answers with the ticket panel alone, swapped in place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from categories.models import CannedResponse
from helpdesk import ratelimit
from tickets import forms_agent, permissions, read_marks, services, workflow
from tickets.exceptions import TextRequired, TransitionRefused
from tickets.models import Ticket
from tickets.moves import Move
from tickets.selectors import desk_pages, people, search, ticket_pages
from tickets.views import common


def desk_ticket_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ticket pages of the workspace: 404 for anyone who is not an agent (the ticket's existence
    is not confirmed); which tickets an agent may open is `desk_ticket`'s business."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_use_desk(request.user):
            raise Http404(_("No ticket found."))
        return view(request, *args, **kwargs)

    return wrapper


def desk_ticket(pk: int, user: Any) -> Ticket:
    """The ticket with its page data, if the person works on it as an agent; 404 otherwise
    (requesters read their tickets on tickets:detail)."""
    ticket = ticket_pages.ticket_for_page(pk, user)
    if not permissions.can_view_internal(ticket, user):
        raise Http404(_("No ticket found."))
    return ticket


@dataclass(frozen=True)
class Action:
    """How the ticket page offers a move of `tickets.moves`: its form, what it does, what the
    agent is told. `also` lists the other moves the same form makes."""

    move: Move
    form_class: type[forms.Form]
    perform: Callable[[Ticket, Any, dict, Any], str]
    also: tuple[Move, ...] = ()


def _take(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.take(ticket=ticket, actor=user)
    return _("You took the ticket.")


def _assign(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.assign(ticket=ticket, actor=user, agent=data["agent"])
    return _("The ticket was assigned to %(name)s.") % {"name": data["agent"].display_name}


def _release(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.release(ticket=ticket, actor=user)
    return _("The ticket is back in the queue.")


def _request_info(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.request_info(ticket=ticket, actor=user, question=data["question"])
    return _("Your question was sent to the requester.")


def _comment(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    services.comment_add(
        ticket=ticket,
        author=user,
        text=data["text"],
        internal=form.internal,
        files=data.get("files") or (),
    )
    if form.internal:
        return _("Your internal note was added.")
    return _("Your reply was sent to the requester.")


def _request_closure(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.request_closure(ticket=ticket, actor=user, resolution=data["resolution"])
    return _("The requester was asked to approve the closure.")


def _transfer(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.transfer(ticket=ticket, actor=user, category=data["category"], note=data["note"])
    return _("The ticket was transferred to %(category)s.") % {"category": data["category"].name}


def _reject(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.reject(ticket=ticket, actor=user, reason=data["reason"])
    return _("The ticket was rejected.")


def _reopen(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.reopen(ticket=ticket, actor=user, reason=data["reason"])
    return _("The ticket was reopened.")


def _change_priority(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.change_priority(ticket=ticket, actor=user, priority=data["priority"])
    return _("The priority is now “%(priority)s”.") % {
        "priority": Ticket.Priority(data["priority"]).label
    }


def _add_attachment(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    services.attachment_add(
        ticket=ticket, uploader=user, file=data["file"], internal=data["internal"]
    )
    return _("The file was added.")


def _postpone(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.postpone(ticket=ticket, actor=user, until=data["until"], reason=data["reason"])
    return _("The ticket is postponed until %(date)s.") % {
        "date": date_format(data["until"], "DATE_FORMAT")
    }


def _resume(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.resume(ticket=ticket, actor=user)
    return _("The ticket is back in progress.")


def _ticket_numbered(number: int, user: Any) -> Ticket:
    """The ticket an agent typed the number of, if they see it as an agent (a form error
    otherwise, without saying whether it exists)."""
    other = ticket_pages.tickets_visible_to(user).filter(pk=number).first()
    if other is None or not permissions.can_view_internal(other, user):
        raise ValidationError(
            _("There is no ticket #%(number)s in your services.") % {"number": number}
        )
    return other


def _as_form_error(move: Callable[[], Any]) -> None:
    """A refusal that is about what was typed (400) comes back as the form's error."""
    try:
        move()
    except TransitionRefused as refusal:
        if refusal.status_code != TextRequired.BAD_REQUEST:
            raise
        raise ValidationError(str(refusal.message)) from refusal


def _merge(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    into = _ticket_numbered(data["into"], user)
    _as_form_error(lambda: workflow.merge(ticket=ticket, actor=user, into=into))
    return _("The ticket was merged into %(reference)s.") % {"reference": into.reference}


def _link(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    other = _ticket_numbered(data["other"], user)
    _as_form_error(lambda: workflow.link(ticket=ticket, actor=user, other=other))
    return _("The ticket is linked to %(reference)s.") % {"reference": other.reference}


def _unlink(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.unlink(ticket=ticket, actor=user, other=data["other"])
    return _("The link to %(reference)s was removed.") % {"reference": data["other"].reference}


def _edit_subject(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    _as_form_error(
        lambda: workflow.edit_subject(ticket=ticket, actor=user, subject=data["subject"])
    )
    return _("The subject was corrected.")


def _change_category(ticket: Ticket, user: Any, data: dict, form: Any) -> str:
    workflow.change_category(ticket=ticket, actor=user, category=data["category"])
    return _("The category is now “%(category)s”.") % {"category": data["category"].name}


ACTIONS: dict[Move, Action] = {
    action.move: action
    for action in (
        Action(Move.TAKE, forms_agent.EmptyForm, _take),
        Action(Move.ASSIGN, forms_agent.AssignForm, _assign),
        Action(Move.RELEASE, forms_agent.EmptyForm, _release),
        Action(Move.REQUEST_INFO, forms_agent.QuestionForm, _request_info),
        Action(Move.COMMENT, forms_agent.CommentForm, _comment, also=(Move.INTERNAL_NOTE,)),
        Action(Move.REQUEST_CLOSURE, forms_agent.ClosureForm, _request_closure),
        Action(Move.CHANGE_PRIORITY, forms_agent.PriorityForm, _change_priority),
        Action(Move.TRANSFER, forms_agent.TransferForm, _transfer),
        Action(Move.REJECT, forms_agent.RejectForm, _reject),
        Action(Move.REOPEN, forms_agent.ReopenForm, _reopen),
        Action(Move.ATTACHMENT, forms_agent.AttachmentForm, _add_attachment),
        Action(Move.POSTPONE, forms_agent.PostponeForm, _postpone),
        Action(Move.RESUME, forms_agent.EmptyForm, _resume),
        Action(Move.EDIT_SUBJECT, forms_agent.SubjectForm, _edit_subject),
        Action(Move.CHANGE_CATEGORY, forms_agent.CategoryForm, _change_category),
        Action(Move.LINK, forms_agent.LinkForm, _link),
        Action(Move.UNLINK, forms_agent.UnlinkForm, _unlink),
        Action(Move.MERGE, forms_agent.MergeForm, _merge),
    )
}
# The names the page's forms used before each move had one name: a page opened earlier still
# posts to them, with its fields named after them.
FORMER_NAMES: dict[str, Move] = {"reply": Move.COMMENT, "attach": Move.ATTACHMENT}


# The button of a move's form, when it is not the page's usual primary button.
BUTTON_CSS: dict[Move, str] = {
    Move.RELEASE: "btn-outline-secondary",
    Move.REQUEST_CLOSURE: "btn-success",
    Move.REJECT: "btn-danger",
    Move.MERGE: "btn-danger",
}


def _make_form(
    action: Action,
    ticket: Ticket,
    user: Any,
    data: Any = None,
    files: Any = None,
    prefix: str = "",
):
    """The move's form; its prefix is the name it is posted under (the move's, or a former
    name), and `form.move` the move it makes."""
    kwargs: dict[str, Any] = {"prefix": prefix or action.move.value}
    if action.form_class is forms_agent.AssignForm:
        kwargs.update(ticket=ticket, user=user)
    elif action.form_class in (
        forms_agent.TransferForm,
        forms_agent.UnlinkForm,
        forms_agent.CategoryForm,
    ):
        kwargs["ticket"] = ticket
    elif action.form_class is forms_agent.CommentForm and data is not None:
        kwargs["internal"] = (
            data.get("mode") == forms_agent.CommentForm.INTERNAL or "internal" in data
        )
    elif action.form_class is forms_agent.PriorityForm and data is None:
        kwargs["initial"] = {"priority": ticket.priority}
    elif action.form_class is forms_agent.SubjectForm and data is None:
        kwargs["initial"] = {"subject": ticket.subject}
    elif action.form_class is forms_agent.CategoryForm and data is None:
        kwargs["initial"] = {"category": ticket.category_id}
    form = action.form_class(*(() if data is None else (data, files)), **kwargs)
    form.move = action.move
    form.button_css = BUTTON_CSS.get(action.move, "btn-primary")
    return form


# Moves offered as a button of their own beside the menu: they ask for nothing, and an agent
# makes them on nearly every new ticket.
QUICK_MOVES = (Move.TAKE,)


def _menu(allowed: set[Move]) -> list[Move]:
    """The ACTIONS menu: the moves this person may make now that have a form of their own (the
    reply box is always on the page, quick moves are buttons), in the table's order."""
    return [
        action.move
        for action in ACTIONS.values()
        if action.move != Move.COMMENT and action.move not in QUICK_MOVES and action.move in allowed
    ]


def _composer(request: HttpRequest, ticket: Ticket, allowed: set[Move], bound: Any):
    """The reply box (reply to the requester / internal note) and the canned responses, or
    (None, []) when the person may do neither."""
    action = ACTIONS[Move.COMMENT]
    if not {action.move, *action.also} & allowed:
        return None, []
    if bound is not None and bound.move == Move.COMMENT:
        comment = bound
    else:
        comment = _make_form(action, ticket, request.user)
    canned_responses: list[CannedResponse] = []
    if Move.COMMENT in allowed:
        canned_responses = desk_pages.canned_responses(ticket)
        canned_id = request.GET.get("canned", "")
        chosen = next((c for c in canned_responses if str(c.pk) == canned_id), None)
        if chosen is not None and not comment.is_bound:
            comment.initial["text"] = chosen.body
    return comment, canned_responses


def _panel_context(
    request: HttpRequest,
    ticket: Ticket,
    bound: Any = None,
    feedback: str = "",
    feedback_level: str = "success",
) -> dict[str, Any]:
    """What the ticket panel shows: the facts, the conversation, the reply box and the ACTIONS
    menu. No move's form is built unless it is the one sent back with errors: each opens on
    demand (`move`)."""
    allowed = permissions.available_actions(ticket, request.user)
    comment, canned_responses = _composer(request, ticket, allowed, bound)
    open_move = bound if bound is not None and bound.move != Move.COMMENT else None
    internal = bool(comment is not None and comment.is_bound and comment.internal)
    return {
        "ticket": ticket,
        "entries": ticket_pages.thread(ticket, request.user),
        "attachments": list(ticket.attachments.all()),
        "allowed": allowed,
        "menu": _menu(allowed),
        "can_merge": Move.MERGE in allowed,
        "related": ticket_pages.related_tickets(ticket, request.user),
        "quick_moves": [move for move in QUICK_MOVES if move in allowed],
        "open_move": open_move,
        "comment": comment,
        "can_comment": Move.COMMENT in allowed,
        "can_note": Move.INTERNAL_NOTE in allowed,
        "note_mode": internal or Move.COMMENT not in allowed,
        "canned_responses": canned_responses,
        "feedback": feedback,
        "feedback_level": feedback_level,
    }


def _render_ticket(request: HttpRequest, ticket: Ticket, status: int = 200, **panel: Any):
    """The full page, or only the panel for an htmx request."""
    context = _panel_context(request, ticket, **panel)
    if request.htmx:
        return render(request, "tickets/agent/_panel.html", context, status=status)
    context["people"] = people.people_around(ticket, request.user)
    context["desk"] = True
    context["recent_tickets"] = desk_pages.requester_recent_tickets(ticket, request.user)
    context["similar"] = search.similar_tickets(ticket, request.user)
    return render(request, "tickets/agent/detail.html", context, status=status)


def _render_move(request: HttpRequest, ticket: Ticket, form: Any, status: int = 200):
    """One move's form: a fragment for the ACTIONS menu's htmx request, a page of its own
    otherwise (the menu's link without JavaScript; the form sent back with errors)."""
    if form.move == Move.COMMENT and request.htmx:
        return _render_ticket(request, ticket, status=status, bound=form)
    context = {"ticket": ticket, "form": form}
    if form.move == Move.COMMENT:
        allowed = permissions.available_actions(ticket, request.user)
        comment, canned = _composer(request, ticket, allowed, form if form.is_bound else None)
        context.update(
            comment=comment,
            canned_responses=canned,
            can_comment=Move.COMMENT in allowed,
            can_note=Move.INTERNAL_NOTE in allowed,
            note_mode=bool(comment.is_bound and comment.internal) or Move.COMMENT not in allowed,
        )
    template = "tickets/agent/_move_form.html" if request.htmx else "tickets/agent/move.html"
    return render(request, template, context, status=status)


@require_GET
@desk_ticket_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent's ticket page: the conversation with internal notes, the reply box, the
    requester, and the ACTIONS menu of the moves allowed now."""
    ticket = desk_ticket(pk, request.user)
    if ticket.status == Ticket.Status.MERGED and ticket.merged_into_id:
        # A merged duplicate lives on in the ticket it was merged into.
        messages.info(
            request,
            _("Ticket %(duplicate)s was merged into this one.") % {"duplicate": ticket.reference},
        )
        return redirect("desk:detail", pk=ticket.merged_into_id)
    read_marks.mark_seen(user=request.user, ticket=ticket)
    return _render_ticket(request, ticket)


@require_GET
@desk_ticket_required
def move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move's form, opened from the ACTIONS menu (a fragment with htmx, a page without).

    404 for a name that is no move of the page; a move this person may not make now is refused
    as posting it would be (409, or 403 when it is never theirs), through `RefusalMiddleware`.
    """
    desk_action = ACTIONS.get(FORMER_NAMES.get(action, action))
    if desk_action is None:
        raise Http404(_("Unknown action."))
    user = request.user
    ticket = desk_ticket(pk, user)
    if not {desk_action.move, *desk_action.also} & permissions.available_actions(ticket, user):
        status = (
            TransitionRefused.CONFLICT
            if permissions.may_act(desk_action.move, ticket, user)
            else TransitionRefused.FORBIDDEN
        )
        raise TransitionRefused(_("This action is not possible on this ticket now."), status)
    form = _make_form(desk_action, ticket, user)
    if desk_action.move == Move.MERGE and request.GET.get("into", "").isdigit():
        # "Mark as duplicate" from the similar tickets: the other ticket is chosen already.
        form.initial["into"] = int(request.GET["into"])
    return _render_move(request, ticket, form)


def _refused_panel(request: HttpRequest, pk: int, form: Any, refusal: TransitionRefused):
    """The panel as it is now, with the refusal in it (and the typed text when it was missing)."""
    return _render_ticket(
        request,
        desk_ticket(pk, request.user),
        status=refusal.status_code,
        bound=form if refusal.status_code == TextRequired.BAD_REQUEST else None,
        feedback=str(refusal.message),
        feedback_level="danger",
    )


def _answer_invalid(request: HttpRequest, ticket: Ticket, form: Any) -> HttpResponse:
    """The form sent back with its errors and what was typed (400)."""
    if request.htmx or form.move == Move.COMMENT:
        return _render_ticket(request, ticket, status=400, bound=form)
    return _render_move(request, ticket, form, status=400)


@require_POST
@desk_ticket_required
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Runs one move from the ticket page.

    Without JavaScript: redirect back with a message, or the move's form again with the typed
    text and the errors (400: the ticket page for the reply box, the move's own page for the
    others); a refused move shows the refusal page (403/409, `RefusalMiddleware`). With htmx:
    the panel, with the message (or the form and its errors) in it, and the same status codes.
    """
    desk_action = ACTIONS.get(FORMER_NAMES.get(action, action))
    if desk_action is None:
        raise Http404(_("Unknown action."))
    if desk_action.move == Move.COMMENT and ratelimit.limit_exceeded(
        request, "COMMENT_RATE", "comment"
    ):
        return ratelimit.too_many(request)
    user = request.user
    ticket = desk_ticket(pk, user)
    form = _make_form(desk_action, ticket, user, request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _answer_invalid(request, ticket, form)
    if request.htmx:
        common.answer_refusals_with(request, functools.partial(_refused_panel, request, pk, form))
    try:
        message = desk_action.perform(ticket, user, form.cleaned_data, form)
    except ValidationError as error:
        for text in error.messages:
            form.add_error(None, text)
        return _answer_invalid(request, ticket, form)
    permissions.forget_roles(user)
    try:
        fresh = desk_ticket(pk, user)
    except Http404:
        # Transferred to a service the agent is not in: back to the queue.
        messages.success(request, message)
        url = reverse("desk:queue")
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if fresh.status == Ticket.Status.MERGED and fresh.merged_into_id:
        # Merged: the work goes on in the other ticket.
        messages.success(request, message)
        url = reverse("desk:detail", kwargs={"pk": fresh.merged_into_id})
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if request.htmx:
        return _render_ticket(request, fresh, feedback=message)
    messages.success(request, message)
    return redirect("desk:detail", pk=pk)
