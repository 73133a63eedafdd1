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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from categories import services as category_services
from categories.models import ServiceMembership
from tickets import forms_agent, permissions
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


@require_GET
@desk_required
def queue(request: HttpRequest) -> HttpResponse:
    """One queue tab, filtered, sorted and paginated from the query string (bookmarkable)."""
    user = request.user
    key = request.GET.get("tab", queues.DEFAULT_QUEUE)
    if key not in queues.QUEUES_BY_KEY:
        key = queues.DEFAULT_QUEUE
    form = forms_agent.QueueFilterForm(request.GET, user=user)
    filters = form.filters()
    tickets, sort = queues.queue_tickets(user, key, filters, request.GET.get("sort"))
    counts = queues.queue_counts(user, filters)
    cap = queues.count_cap(filters)
    paginator = queues.QueuePaginator(
        tickets, queues.PAGE_SIZE, known_count=counts[key], cap=cap, decorate=queues.page_rows
    )
    page = paginator.get_page(request.GET.get("page"))
    for ticket in page.object_list:
        ticket.requester_answered = queues.requester_spoke_last(ticket)
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
    context = {
        "tab": queues.QUEUES_BY_KEY[key],
        "tabs": [(queue, counts.get(queue.key)) for queue in queues.QUEUES],
        "count_cap": cap,
        "form": form,
        "filtered": any(value for name, value in request.GET.items() if name in form.fields),
        "page": page,
        "columns": columns,
        "sort": sort,
    }
    return render(request, "tickets/agent/queue.html", context)
