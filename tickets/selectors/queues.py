"""Reads for the shared queues of the agents' workspace: the tabs, their rows and their counts.

Every list starts from the tickets of the person's services (`desk_tickets`), the tickets
`ticket_pages.tickets_visible_to` lets them open: a queue never lists a ticket its detail page
would refuse. Each function returns a lazy queryset or runs a fixed number of queries, whatever the
number of tickets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from tickets import permissions, queue_cache
from tickets.models import SavedQueueView, Ticket, TicketEvent, TicketReadMark, Watcher
from tickets.moves import Move
from tickets.selectors import search, ticket_pages

PAGE_SIZE = 25
# Tabs whose count could grow without bound (every ticket ever closed) stop counting here.
COUNT_CAP = 1000
# With search words each counted row is checked against them: for a common word, counting to
# COUNT_CAP would cost each tab more than its page (bench/README.md, "Figures behind the code").
# Eight pages of results say enough; past them, the words need narrowing.
SEARCH_COUNT_CAP = 200


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    default_sort: str
    capped_count: bool = False


QUEUES: tuple[Queue, ...] = (
    Queue("todo", _("To handle"), "age"),
    Queue("mine", _("My tickets in progress"), "-activity"),
    Queue("waiting", _("Waiting for the requester"), "-activity"),
    Queue("postponed", _("Postponed"), "postponed"),
    # Active tickets the agent follows without owning them (`Watcher`).
    Queue("followed", _("Tickets I follow"), "-activity"),
    Queue("all", _("All tickets"), "-activity", capped_count=True),
    Queue("closed", _("Closed tickets"), "-activity", capped_count=True),
)
QUEUES_BY_KEY = {queue.key: queue for queue in QUEUES}
DEFAULT_QUEUE = "todo"

# The columns one may sort on: ?sort=<key> or ?sort=-<key>; anything else falls back to the default.
SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("pk",),
    "subject": ("subject",),
    "requester": ("requester__full_name", "requester__email"),
    "category": ("category__name",),
    "status": ("status",),
    "priority": ("priority",),
    "assignee": ("assignee__full_name", "assignee__email"),
    "age": ("created_at",),
    "activity": ("updated_at",),
    "postponed": ("postponed_until",),
}


def desk_tickets(user) -> QuerySet[Ticket]:
    """Tickets currently in the person's services (every service for a superuser).

    A ticket transferred to another service leaves the old service's queues and enters the new
    one's; a confidential category's tickets stay with the agents named for it. The same tickets
    as `ticket_pages.tickets_visible_to(user)` narrowed to those services,
    written without its "or their own" branch, which the narrowing makes redundant: one condition
    on the service lets PostgreSQL walk one index instead of OR-ing two bitmaps of the whole
    service, which grow with its history.
    """
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_superuser:
        return ticket_pages.tickets_visible_to(user)
    return Ticket.objects.filter(
        Q(service_id__in=permissions.agent_service_ids(user))
        & ticket_pages.confidentiality_filter(user)
    )


# Active statuses an agent works on now (postponed tickets wait in their own tab).
WORKED_ON = tuple(s for s in Ticket.ACTIVE_STATUSES if s not in Ticket.SET_ASIDE_STATUSES)


def queue_filter(key: str, user) -> Q:
    """The condition that puts a ticket in a queue tab."""
    if key == "todo":
        return Q(status__in=Ticket.UNTAKEN_STATUSES, assignee__isnull=True)
    if key == "mine":
        # A postponed ticket waits in its own tab until its day.
        return Q(assignee=user, status__in=WORKED_ON)
    if key == "postponed":
        return Q(status__in=Ticket.SET_ASIDE_STATUSES)
    if key == "waiting":
        return Q(status__in=Ticket.WAITING_ON_REQUESTER_STATUSES)
    if key == "followed":
        return Q(
            Exists(Watcher.objects.filter(ticket_id=OuterRef("pk"), agent_id=user.pk)),
            status__in=Ticket.ACTIVE_STATUSES,
        )
    if key == "closed":
        return Q(status__in=Ticket.TERMINAL_STATUSES)
    return Q()


def sort_ordering(sort: str | None, default: str) -> tuple[str, list[str]]:
    """The whitelisted sort key actually applied and its ORDER BY; the pk breaks ties."""
    key = sort if sort and sort.lstrip("-") in SORTS else default
    descending = key.startswith("-")
    fields = [f"-{name}" if descending else name for name in SORTS[key.lstrip("-")]]
    fields.append("-pk" if descending else "pk")
    return key, fields


def with_row_data(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a queue row shows, in the same query as the rows."""
    return tickets.select_related("requester", "category", "service", "assignee")


@dataclass(frozen=True)
class Filters:
    """Validated queue filters (see forms_agent.QueueFilterForm)."""

    q: str = ""
    service: object | None = None
    category: object | None = None
    status: str = ""
    assignee: object | None = None
    unassigned: bool = False
    priority: int | None = None
    created_from: date | None = None
    created_to: date | None = None

    @cached_property
    def people(self) -> Q | None:
        """The search's condition on the requester, looked up once for the page's queries."""
        if not self.q.strip() or connection.vendor != "postgresql":
            return None
        return search.requester_match(self.q.strip())


def apply_filters(
    tickets: QuerySet[Ticket], filters: Filters, *, bounded: bool = False
) -> QuerySet[Ticket]:
    """Narrows a ticket list by the filters and the search words (`bounded`: see
    `search.matching`)."""
    if filters.service is not None:
        tickets = tickets.filter(service=filters.service)
    if filters.category is not None:
        tickets = tickets.filter(category=filters.category)
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    if filters.unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        tickets = tickets.filter(assignee=filters.assignee)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    tz = timezone.get_current_timezone()
    if filters.created_from:
        start = datetime.combine(filters.created_from, time.min, tzinfo=tz)
        tickets = tickets.filter(created_at__gte=start)
    if filters.created_to:
        end = datetime.combine(filters.created_to, time.max, tzinfo=tz)
        tickets = tickets.filter(created_at__lte=end)
    if filters.q:
        tickets = search.matching(tickets, filters.q, bounded=bounded, people=filters.people)
    return tickets


def queue_tickets(
    user, key: str, filters: Filters, sort: str | None = None
) -> tuple[QuerySet[Ticket], str]:
    """The rows of one queue tab, filtered and sorted, and the sort key actually applied."""
    queue = QUEUES_BY_KEY.get(key, QUEUES_BY_KEY[DEFAULT_QUEUE])
    applied, ordering = sort_ordering(sort, queue.default_sort)
    tickets = apply_filters(desk_tickets(user), filters).filter(queue_filter(queue.key, user))
    return tickets.order_by(*ordering), applied


def chosen_rows(chosen: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The tickets of an ordered, sliced list, joined to their row data after the choice.

    Joined first, PostgreSQL joins the requester, category and assignee of every candidate (a
    service's thousand open tickets, by a merge join over every user; the rows skipped to reach
    a deep page) before keeping the few shown.
    """
    rows = Ticket.objects.filter(pk__in=chosen.values("pk"))
    return with_row_data(rows).order_by(*chosen.query.order_by)


def page_rows(chosen: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """A page's tickets with what their rows show (`QueuePaginator(decorate=page_rows)`)."""
    return with_last_event(chosen_rows(chosen))


def count_cap(filters: Filters | None) -> int:
    """Where the capped counts stop: COUNT_CAP, or SEARCH_COUNT_CAP for a search."""
    return SEARCH_COUNT_CAP if filters is not None and filters.q else COUNT_CAP


def queue_counts(user, filters: Filters | None = None) -> dict[str, int | None]:
    """How many tickets each tab holds, in three queries.

    The open tabs are counted exactly in one aggregate; "all" and "closed" stop at
    `count_cap(filters)` (that value means "at least"). Unfiltered, the counts come from the
    cache while the person's services have not changed (`tickets.queue_cache`).
    """
    if filters is None or filters == NO_FILTERS:
        services = None if user.is_superuser else permissions.agent_service_ids(user)
        return queue_cache.cached_counts(user.pk, services, lambda: _counted(user, None))
    return _counted(user, filters)


NO_FILTERS = Filters()


def _counted(user, filters: Filters | None) -> dict[str, int | None]:
    tickets = desk_tickets(user)
    active = tickets.filter(status__in=Ticket.ACTIVE_STATUSES)
    if filters is not None:
        tickets = apply_filters(tickets, filters)
        active = apply_filters(active, filters, bounded=True)
    cap = count_cap(filters)
    counts: dict[str, int | None] = active.aggregate(
        **{
            queue.key: Count("pk", filter=queue_filter(queue.key, user))
            for queue in QUEUES
            if not queue.capped_count
        }
    )
    for queue in QUEUES:
        if queue.capped_count:
            capped = tickets.filter(queue_filter(queue.key, user)).order_by()[:cap]
            counts[queue.key] = capped.count()
    return counts


class QueuePaginator(Paginator):
    """Pages of a queue that count at most `cap` rows (COUNT_CAP by default; the last page is
    then the cap-th row's): counting every ticket ever closed costs more than the page itself.

    A page that already counted its tab (`queue_counts` with the same filters) passes `known_count`
    and saves the query.
    """

    def __init__(
        self,
        *args,
        known_count: int | None = None,
        cap: int = COUNT_CAP,
        decorate: Callable[[QuerySet], QuerySet] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.decorate = decorate
        if known_count is not None:
            self.__dict__["count"] = min(known_count, cap)

    def page(self, number):
        """The page; with `decorate`, its rows are chosen first (by the list's order, offset and
        limit) and only those get their row data: the last event's subqueries and the joins then
        run for 25 tickets, not for every ticket skipped to reach a deep page."""
        page = super().page(number)
        if self.decorate is not None:
            page.object_list = self.decorate(page.object_list)
        return page

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap].count()


# The requester's moves that leave the next step to the service.
REQUESTER_REPLIES = frozenset(
    {Move.COMMENT, Move.RECEIVE_INFO, Move.ATTACHMENT, Move.REFUSE_CLOSURE, Move.REOPEN}
)


def _latest_event(field: str) -> Subquery:
    latest = TicketEvent.objects.filter(ticket=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(latest.values(field)[:1])


def with_last_event(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Adds `last_action` and `last_actor_id` (the latest event's), in the same query."""
    return tickets.annotate(
        last_action=_latest_event("action"), last_actor_id=_latest_event("actor")
    )


def requester_spoke_last(ticket: Ticket) -> bool:
    """The latest event is the requester's reply: the service has the next move.

    Needs a ticket from `with_last_event`.
    """
    return (
        getattr(ticket, "last_actor_id", None) == ticket.requester_id
        and getattr(ticket, "last_action", None) in REQUESTER_REPLIES
    )


def with_read_state(tickets: QuerySet[Ticket], user) -> QuerySet[Ticket]:
    """Adds `seen_at` (when this agent last opened the ticket) and `others_activity_at` (the
    latest event by anyone else), in the same query: `is_unread` compares them."""
    mark = TicketReadMark.objects.filter(ticket=OuterRef("pk"), user=user).values("seen_at")[:1]
    latest = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"))
        .exclude(actor=user)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    return tickets.annotate(seen_at=Subquery(mark), others_activity_at=Subquery(latest))


def is_unread(ticket: Ticket) -> bool:
    """Someone else acted on the ticket since the agent last opened it (or they never did).

    Needs a ticket from `with_read_state`.
    """
    activity = getattr(ticket, "others_activity_at", None)
    if activity is None:
        return False
    seen = getattr(ticket, "seen_at", None)
    return seen is None or activity > seen


def queue_rows(chosen: QuerySet[Ticket], user) -> QuerySet[Ticket]:
    """A queue page's tickets with their row data and this agent's unread state."""
    return with_read_state(page_rows(chosen), user)


def saved_views(user) -> list[SavedQueueView]:
    """The person's saved views, for the queues' tab bar."""
    return list(SavedQueueView.objects.filter(user=user))
