"""The agents' workspace home (/desk/): the dashboard, the availability switch and the shared
queues.

Reads come from `tickets.selectors` (`queues`, `desk_pages`); the availability switch writes through
`categories.services`. The agent's ticket page and its moves are `tickets.views.agent_ticket`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from categories import services as category_services
from categories.models import ServiceMembership
from helpdesk import db_router
from tickets import bulk, forms_agent, forms_queue, permissions, queue_views
from tickets.models import Ticket
from tickets.moves import Move
from tickets.selectors import desk_pages, queues


def desk_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in agents, heads and superusers only; anyone else gets a 403 page saying why."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_use_desk(request.user):
            return render(request, "tickets/agent/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


# --- Dashboard -------------------------------------------------------------------------------


@require_GET
@desk_required
def home(request: HttpRequest) -> HttpResponse:
    """What needs the agent now: queue sizes, their tickets in progress, the oldest open ones."""
    user = request.user
    counts = queues.queue_counts(user)
    load = list(desk_pages.agent_load(user))
    waiting = list(desk_pages.waiting_on_me(user))
    for ticket in waiting:
        ticket.requester_answered = queues.requester_spoke_last(ticket)
    context = {
        "tabs": [(queue, counts.get(queue.key)) for queue in queues.QUEUES],
        "count_cap": queues.COUNT_CAP,
        "waiting": waiting,
        "oldest": desk_pages.oldest_open(user),
        "memberships": desk_pages.memberships_of(user),
        "load": load,
    }
    return render(request, "tickets/agent/home.html", context)


@require_POST
@desk_required
def availability(request: HttpRequest) -> HttpResponse:
    """The agent marks themselves (un)available in one service: round-robin skips them. 404 for
    anything but one of their services."""
    form = forms_agent.AvailabilityForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        membership = category_services.membership_set_available(
            user=request.user,
            service_id=form.cleaned_data["service"],
            available=form.cleaned_data["available"],
        )
    except ServiceMembership.DoesNotExist as error:
        raise Http404 from error
    if membership.is_available:
        messages.success(
            request,
            _("You are available again for new tickets of %(service)s.")
            % {"service": membership.service},
        )
    else:
        messages.success(
            request,
            _("You will receive no automatic assignment from %(service)s.")
            % {"service": membership.service},
        )
    return redirect("desk:home")


# --- Queues ----------------------------------------------------------------------------------

COLUMNS: tuple[tuple[str, str], ...] = (
    ("reference", gettext_lazy("Reference")),
    ("subject", gettext_lazy("Subject")),
    ("requester", gettext_lazy("Requester")),
    ("category", gettext_lazy("Category")),
    ("status", gettext_lazy("Status")),
    ("priority", gettext_lazy("Priority")),
    ("assignee", gettext_lazy("Assigned agent")),
    ("age", gettext_lazy("Age")),
    ("activity", gettext_lazy("Last activity")),
)


def _queue_key(request: HttpRequest) -> str:
    key = request.GET.get("tab", queues.DEFAULT_QUEUE)
    return key if key in queues.QUEUES_BY_KEY else queues.DEFAULT_QUEUE


def _counts_query(request: HttpRequest, key: str) -> str:
    """The query string the tab bar refreshes its counts with: the same tab and filters."""
    query = request.GET.copy()
    query["tab"] = key
    for name in ("page", "sort"):
        query.pop(name, None)
    return query.urlencode()


def _columns(sort: str) -> list[dict[str, Any]]:
    descending = sort.startswith("-")
    columns = []
    for column, label in COLUMNS:
        current = sort.lstrip("-") == column
        columns.append(
            {
                "key": column,
                "label": label,
                "aria_sort": ("descending" if descending else "ascending") if current else "",
                "next_sort": column if (current and descending) or not current else f"-{column}",
            }
        )
    return columns


@require_GET
@desk_required
@db_router.reads_from_replica(when=db_router.searching)
def queue(request: HttpRequest) -> HttpResponse:
    """One queue tab, filtered, sorted and paginated from the query string (bookmarkable).

    A filter changed with htmx asks for the results alone (`HX-Target: queue-results`); the tab
    counts come with them, out of band.
    """
    user = request.user
    key = _queue_key(request)
    form = forms_agent.QueueFilterForm(request.GET, user=user)
    filters = form.filters()
    tickets, sort = queues.queue_tickets(user, key, filters, request.GET.get("sort"))
    counts = queues.queue_counts(user, filters)
    cap = queues.count_cap(filters)
    paginator = queues.QueuePaginator(
        tickets,
        queues.PAGE_SIZE,
        known_count=counts[key],
        cap=cap,
        decorate=functools.partial(queues.queue_rows, user=user),
    )
    page = paginator.get_page(request.GET.get("page"))
    for ticket in page.object_list:
        ticket.requester_answered = queues.requester_spoke_last(ticket)
        ticket.unread = queues.is_unread(ticket)
        ticket.takeable = ticket.assignee_id is None and ticket.status in Ticket.UNTAKEN_STATUSES
    context = {
        "tab": queues.QUEUES_BY_KEY[key],
        "tabs": [(queue, counts.get(queue.key)) for queue in queues.QUEUES],
        "count_cap": cap,
        "form": form,
        "filtered": any(value for name, value in request.GET.items() if name in form.fields),
        "page": page,
        "columns": _columns(sort),
        "sort": sort,
        "view_query": forms_queue.queue_query(request.GET.urlencode()),
        "counts_query": _counts_query(request, key),
        "bulk_form": forms_queue.BulkForm(user=user, people=form.people, prefix="bulk"),
        "bulk_results": request.session.pop(BULK_RESULTS_KEY, None),
        "bulk_limit": bulk.BULK_LIMIT,
    }
    if request.htmx and request.htmx.target == "queue-results":
        return render(request, "tickets/agent/_queue_results.html", context)
    context["saved_views"] = queues.saved_views(user)
    context["view_form"] = forms_queue.SavedViewForm(
        initial={"query": context["view_query"]}, prefix="view"
    )
    return render(request, "tickets/agent/queue.html", context)


@require_GET
@desk_required
def queue_counts(request: HttpRequest) -> HttpResponse:
    """The tab bar alone, with fresh counts for the same filters: the page asks every minute."""
    user = request.user
    tab = queues.QUEUES_BY_KEY[_queue_key(request)] if "tab" in request.GET else None
    filters = forms_agent.QueueFilterForm(request.GET, user=user).filters() if tab else None
    counts = queues.queue_counts(user, filters)
    context = {
        "tab": tab,
        "tabs": [(queue, counts.get(queue.key)) for queue in queues.QUEUES],
        "count_cap": queues.count_cap(filters),
        "counts_query": _counts_query(request, tab.key) if tab else "",
    }
    return render(request, "tickets/agent/_tab_list.html", context)


# Where a batch's results wait for the queue page the POST redirects to.
BULK_RESULTS_KEY = "desk_bulk_results"


def _back_to_queue(query: str) -> HttpResponse:
    """The queue the form was sent from (its tab, filters and sort; nothing else is kept)."""
    query = forms_queue.queue_query(query)
    return redirect(f"{reverse('desk:queue')}?{query}" if query else reverse("desk:queue"))


@require_POST
@desk_required
def bulk_apply(request: HttpRequest) -> HttpResponse:
    """One move on the checked tickets (or on one, from its row's "Take" button), each through
    its own workflow move; the queue then lists what became of each ticket."""
    data = request.POST.copy()
    take_one = data.get("take_one", "")
    if take_one:
        data.setlist("bulk-tickets", [take_one])
        data["bulk-move"] = Move.TAKE.value
    form = forms_queue.BulkForm(data, user=request.user, prefix="bulk")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_queue(data.get("query", ""))
    results = bulk.apply_bulk(
        request.user, form.cleaned_data["move"], form.cleaned_data["tickets"], **form.arguments()
    )
    request.session[BULK_RESULTS_KEY] = [result.as_dict() for result in results]
    return _back_to_queue(data.get("query", ""))


@require_POST
@desk_required
def view_save(request: HttpRequest) -> HttpResponse:
    """Saves the queue as it is filtered and sorted under a name (the same name replaces it)."""
    form = forms_queue.SavedViewForm(request.POST, prefix="view")
    if not form.is_valid():
        messages.error(request, _("Give the view a name."))
        return _back_to_queue(request.POST.get("view-query", ""))
    view = queue_views.view_save(
        user=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
    )
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": view.name})
    return redirect(view)


@require_POST
@desk_required
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Deletes one of the person's saved views (404 for anyone else's)."""
    name = queue_views.view_delete(user=request.user, pk=pk)
    if name is None:
        raise Http404
    messages.success(request, _("The view “%(name)s” was deleted.") % {"name": name})
    return _back_to_queue(request.POST.get("query", ""))
