"""The requester's pages: filing a ticket, following it, answering the service.

Each page reads through `tickets.selectors` (`ticket_pages`, `requester_pages`); each POST parses
a form, calls one function of `tickets.workflow` or `tickets.services`, leaves a message and
redirects. Refused moves (`TransitionRefused`) become a message and a 403/409 page through
`RefusalMiddleware`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from categories import selectors as category_selectors
from categories.models import Category
from helpdesk import ratelimit
from tickets import filing_panels, permissions, services, workflow
from tickets.forms import (
    AttachmentForm,
    CancelForm,
    CommentForm,
    RefuseClosureForm,
    ReopenForm,
    TicketCreateForm,
)
from tickets.models import Ticket, TicketEvent
from tickets.moves import Move, Role, made_by
from tickets.selectors import people, requester_pages, ticket_pages

# The ACTIONS menu: the moves the table lets a requester choose, in its order, except that a
# proposed closure's approval comes before its refusal (the table's order is README's).
MENU: tuple[Move, ...] = tuple(
    sorted(made_by(Role.REQUESTER), key=lambda move: move == Move.REFUSE_CLOSURE)
)
TICKETS_PER_PAGE = 25
INVITED_SHOWN = 25
LIST_STATES = ("all", "open", "closed")


# --- Filing a ticket -------------------------------------------------------------------------


@dataclass
class CategoryStep:
    """Where the requester is in the choice of a category.

    `current` is the category whose sub-categories are offered (None: the root categories);
    `chosen` is set once the ticket's category is decided, and the ticket form follows.
    """

    current: Category | None = None
    choices: list[Category] = field(default_factory=list)
    chosen: Category | None = None
    path: list[Category] = field(default_factory=list)
    error: str = ""
    # The category asked for exists but is not offered to this person (audiences).
    hidden: bool = False

    @property
    def can_file_in_current(self) -> bool:
        """The current category may itself receive tickets ("none of these" option)."""
        return self.current is not None and requester_pages.accepts_tickets(self.current)


def _category_step(params: Mapping[str, str], user: Any = None) -> CategoryStep:
    """Reads `?category=<slug>` (and `parent=<slug>`, set when the requester confirms a category
    that has sub-categories) into the next step of the choice, among the categories offered to
    the person (`categories.selectors.offered_category_ids`: audiences)."""
    offered = category_selectors.offered_category_ids(user)
    slug = params.get("category", "").strip()
    if not slug:
        error = _("Please choose a category.") if "next" in params else ""
        return CategoryStep(choices=requester_pages.category_choices(None, offered), error=error)
    category = requester_pages.selectable_category(slug)
    if category is None:
        return CategoryStep(
            choices=requester_pages.category_choices(None, offered),
            error=_("This category does not exist or no longer receives tickets."),
        )
    if category.pk not in offered:
        return CategoryStep(
            choices=requester_pages.category_choices(None, offered),
            error=_(
                "This category is not offered to you: it is reserved for other members of the "
                "university. Please choose another category."
            ),
            hidden=True,
        )
    path = [*category.ancestors(), category]
    children = requester_pages.category_choices(category, offered)
    confirmed = params.get("parent", "") == category.slug
    if children and not confirmed:
        return CategoryStep(current=category, choices=children, path=path)
    if not requester_pages.accepts_tickets(category):
        return CategoryStep(
            current=category,
            choices=children,
            path=path,
            error=_("Please choose a sub-category."),
        )
    return CategoryStep(chosen=category, path=path)


def _render_create(
    request: HttpRequest,
    step: CategoryStep,
    form: TicketCreateForm | None = None,
    *,
    files_lost: bool = False,
    status: int = 200,
) -> HttpResponse:
    if step.chosen is not None and form is None:
        # `?subject=` comes back from the knowledge base's answers: what was typed is kept.
        initial = {"category": step.chosen.slug, "subject": request.GET.get("subject", "")[:200]}
        form = TicketCreateForm(initial=initial, service=step.chosen.handling_service)
    panels = (
        filing_panels.panels_for(request, step.chosen, form.data if form is not None else None)
        if step.chosen is not None
        else []
    )
    context = {"step": step, "form": form, "files_lost": files_lost, "panels": panels}
    template = "tickets/_create_body.html" if request.htmx else "tickets/create.html"
    return render(request, template, context, status=status)


@login_required
@ratelimit.rate_limited("TICKET_CREATE_RATE", "ticket_create")
def create(request: HttpRequest) -> HttpResponse:
    """ "Déposer un ticket": choose a category, step by step, then describe the problem.

    Works as plain GET forms; with htmx each step replaces the previous one in place.
    `?category=<slug>` is the deep link a portal uses to preselect a category.
    """
    if request.method != "POST":
        step = _category_step(request.GET, request.user)
        # htmx swaps 2xx answers only: a step with an error message is still a page to show.
        status = (403 if step.hidden else 400) if step.error and not request.htmx else 200
        return _render_create(request, step, status=status)

    step = _category_step({"category": request.POST.get("category", ""), "next": "1"}, request.user)
    if step.chosen is None:
        # The category vanished, is not offered to this person, or was tampered with: back to
        # the choice, nothing created.
        return _render_create(request, step, status=403 if step.hidden else 400)
    files_chosen = bool(request.FILES.getlist("attachments"))
    form = TicketCreateForm(request.POST, request.FILES, service=step.chosen.handling_service)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                requester=request.user,
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                priority=data.get("priority"),
                files=data["attachments"],
            )
        except ValidationError as error:
            code = getattr(error, "code", None) or ""
            target = "attachments" if code.startswith("file_") else None
            form.add_error(target, error)
        else:
            filing_panels.ticket_filed.send(sender=Ticket, request=request, ticket=ticket)
            # The recap page says it was created: no message on top of it.
            return redirect("tickets:created", pk=ticket.pk)
    if files_chosen:
        form.mark_files_lost()
    return _render_create(request, step, form, files_lost=files_chosen, status=400)


@login_required
@require_safe
def created(request: HttpRequest, pk: int) -> HttpResponse:
    """The recap shown once a ticket is filed: what it is, who handles it, what happens next."""
    ticket = ticket_pages.ticket_for_page(pk, request.user)
    attachments = [
        a for a in ticket.attachments.all() if a.visibility == TicketEvent.Visibility.PUBLIC
    ]
    return render(request, "tickets/created.html", {"ticket": ticket, "attachments": attachments})


# --- Following tickets -----------------------------------------------------------------------


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """ "Mes tickets": open tickets first, those waiting for the requester marked."""
    state = request.GET.get("state", "all")
    if state not in LIST_STATES:
        state = "all"
    tickets = requester_pages.requester_tickets(request.user, state=state)
    page = Paginator(tickets, TICKETS_PER_PAGE).get_page(request.GET.get("page"))
    # The tickets the person is invited to follow (the latest ones), below their own.
    invited = list(people.invited_tickets(request.user)[:INVITED_SHOWN])
    context = {"page": page, "state": state, "invited": invited}
    return render(request, "tickets/mine.html", context)


def _desk_url(ticket: Ticket) -> str:
    """The agents' page of the ticket, where the desk exists."""
    try:
        return reverse("desk:detail", kwargs={"pk": ticket.pk})
    except NoReverseMatch:
        return ""


def _detail_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    user = request.user
    # The requester's page shows public events only, even to a requester who is also an agent.
    entries = ticket_pages.thread(ticket, user, public_only=True)
    actions = permissions.available_actions(ticket, user)
    question = None
    if ticket.status == Ticket.Status.INFO_REQUESTED:
        question = next(
            (e.event for e in reversed(entries) if e.event.action == Move.REQUEST_INFO),
            None,
        )
    context: dict[str, Any] = {
        "ticket": ticket,
        "entries": entries,
        "actions": [move for move in MENU if move in actions],
        "question": question,
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "refuse_form": RefuseClosureForm(),
        "reopen_form": ReopenForm(),
        "cancel_form": CancelForm(),
        "reopen_deadline": permissions.reopen_deadline(ticket),
        "people": people.people_around(ticket, user),
    }
    context.update(forms)
    return context


def _render_detail(request: HttpRequest, pk: int, status: int = 200, **forms: Any) -> HttpResponse:
    ticket = ticket_pages.ticket_for_page(pk, request.user)
    context = _detail_context(request, ticket, **forms)
    return render(request, "tickets/detail.html", context, status=status)


@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester's page of a ticket; an agent of its service is sent to the desk's page."""
    ticket = ticket_pages.ticket_for_page(pk, request.user)
    if ticket.status == Ticket.Status.MERGED and ticket.merged_into_id:
        # A merged duplicate lives on in the ticket it was merged into, which its requester
        # follows as an invitee.
        messages.info(
            request,
            _("Ticket %(duplicate)s was merged into this one.") % {"duplicate": ticket.reference},
        )
        return redirect("tickets:detail", pk=ticket.merged_into_id)
    if ticket.requester_id != request.user.pk and permissions.can_view_internal(
        ticket, request.user
    ):
        desk_url = _desk_url(ticket)
        if desk_url:
            return redirect(desk_url)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


@login_required
@require_safe
def closure(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the closure email links to: the resolution and the two buttons.

    Opening it decides nothing (a mail scanner may follow links): the decision is a POST.
    """
    return _render_closure(request, pk, RefuseClosureForm())


def _render_closure(
    request: HttpRequest, pk: int, refuse_form: RefuseClosureForm, status: int = 200
) -> HttpResponse:
    ticket = ticket_pages.ticket_for_page(pk, request.user)
    context = {
        "ticket": ticket,
        "refuse_form": refuse_form,
        "can_decide": permissions.can_approve_closure(ticket, request.user),
    }
    return render(request, "tickets/closure.html", context, status=status)


# --- Acting on a ticket ----------------------------------------------------------------------


def _ticket_or_404(request: HttpRequest, pk: int) -> Ticket:
    return get_object_or_404(ticket_pages.tickets_visible_to(request.user), pk=pk)


@login_required
@require_POST
@ratelimit.rate_limited("COMMENT_RATE", "comment")
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ajouter commentaire": an answer to the service's question sends the ticket back to it."""
    ticket = _ticket_or_404(request, pk)
    form = CommentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, comment_form=form)
    answering = ticket.status == Ticket.Status.INFO_REQUESTED
    try:
        services.comment_add(
            ticket=ticket,
            author=request.user,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["files"],
        )
    except ValidationError as error:  # a file the storage could not keep: nothing was added
        form.add_error("files", error)
        return _render_detail(request, pk, status=400, comment_form=form)
    if answering:
        messages.success(request, _("Your answer has been sent to the service."))
    else:
        messages.success(request, _("Your comment has been added."))
    return redirect(ticket)


@login_required
@require_POST
def add_attachment(request: HttpRequest, pk: int, prefix: str = "") -> HttpResponse:
    """ "Ajouter une pièce jointe": one or more files, all added or none. `prefix`: the field
    names of the form's former address."""
    ticket = _ticket_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES, prefix=prefix or None)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, attachment_form=form)
    try:
        services.attachments_add(
            ticket=ticket, uploader=request.user, files=form.cleaned_data["files"]
        )
    except ValidationError as error:  # a file the storage could not keep: none was added
        form.add_error("files", error)
        return _render_detail(request, pk, status=400, attachment_form=form)
    messages.success(request, _("Your files have been added to the ticket."))
    return redirect(ticket)


@login_required
@require_POST
def approve_closure(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Approuver la clôture": the requester agrees the problem is solved."""
    ticket = workflow.approve_closure(ticket=_ticket_or_404(request, pk), actor=request.user)
    messages.success(request, _("Thank you. Your ticket is now closed."))
    return redirect(ticket)


@login_required
@require_POST
def refuse_closure(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Refuser la clôture": the reason is required and goes to the agent."""
    ticket = _ticket_or_404(request, pk)
    form = RefuseClosureForm(request.POST)
    if not form.is_valid():
        return _render_closure(request, pk, form, status=400)
    workflow.refuse_closure(ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your refusal has been sent to the service."))
    return redirect(ticket)


@login_required
@require_POST
def mark_solved(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Mon problème est résolu": the requester closes the ticket themselves."""
    ticket = workflow.mark_solved(ticket=_ticket_or_404(request, pk), actor=request.user)
    messages.success(request, _("Glad your problem is solved. Your ticket is now closed."))
    return redirect(ticket)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Annuler le ticket": withdraws a ticket nobody has taken yet."""
    ticket = _ticket_or_404(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, cancel_form=form)
    workflow.cancel(ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your ticket has been cancelled."))
    return redirect(ticket)


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Réouvrir": a closed ticket goes back to the service, with the reason."""
    ticket = _ticket_or_404(request, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, reopen_form=form)
    workflow.reopen(ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your ticket has been reopened; the service is told of it."))
    return redirect(ticket)
