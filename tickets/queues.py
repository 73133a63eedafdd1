"""Reads for the agents' workspace: the shared queues, their counts, search and the dashboard.

Every list starts from `selectors.tickets_visible_to(user)`, the selector that also guards the
ticket pages, narrowed to the services the person works in: a queue never lists a ticket its
detail page would refuse. Each function returns a lazy queryset or runs a fixed number of queries,
whatever the number of tickets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Expression, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from categories.models import ServiceMembership
from tickets import permissions, selectors
from tickets.models import Ticket, TicketEvent
from tickets.moves import Move

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
}


def desk_tickets(user) -> QuerySet[Ticket]:
    """Tickets currently in the person's services (every service for a superuser).

    A ticket transferred to another service leaves the old service's queues and enters the new
    one's. The same tickets as `selectors.tickets_visible_to(user)` narrowed to those services,
    written without its "or their own" branch, which the narrowing makes redundant: one condition
    on the service lets PostgreSQL walk one index instead of OR-ing two bitmaps of the whole
    service, which grow with its history.
    """
    if not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    if user.is_superuser:
        return selectors.tickets_visible_to(user)
    return Ticket.objects.filter(service_id__in=permissions.agent_service_ids(user))


def queue_filter(key: str, user) -> Q:
    """The condition that puts a ticket in a queue tab."""
    if key == "todo":
        return Q(status__in=Ticket.UNTAKEN_STATUSES, assignee__isnull=True)
    if key == "mine":
        return Q(assignee=user, status__in=Ticket.ACTIVE_STATUSES)
    if key == "waiting":
        return Q(status__in=Ticket.WAITING_ON_REQUESTER_STATUSES)
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
        return _requester_match(self.q.strip())


def apply_filters(
    tickets: QuerySet[Ticket], filters: Filters, *, bounded: bool = False
) -> QuerySet[Ticket]:
    """Narrows a ticket list by the filters and the search words (`bounded`: see `search`)."""
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
        tickets = search(tickets, filters.q, bounded=bounded, people=filters.people)
    return tickets


_REFERENCE = re.compile(r"^#?\s*(\d{1,18})$")


def search(
    tickets: QuerySet[Ticket], text: str, *, bounded: bool = False, people: Q | None = None
) -> QuerySet[Ticket]:
    """Tickets matching a reference (#123 or 123) or words of their text, comments or requester.

    PostgreSQL uses full-text search in French and English on each ticket's stored search vector
    (subject, description and every event's text; tickets/migrations/0003_search_vector.py);
    other databases fall back to substring matching.

    `bounded` says the list is already small (a service's open tickets): each row is then checked
    against the words, never the search index, which for a common word is a bitmap of a large
    share of all tickets, far dearer to build than checking the list's few rows.
    """
    text = text.strip()
    if not text:
        return tickets
    reference = _REFERENCE.match(text)
    if connection.vendor == "postgresql":
        people = people if people is not None else _requester_match(text)
        match = _fulltext_match(text, indexed=not bounded) | people
    else:
        match = (
            Q(requester__full_name__icontains=text)
            | Q(requester__email__icontains=text)
            | _substring_match(text)
        )
    if reference:
        match |= Q(pk=int(reference.group(1)))
    return tickets.filter(match)


# Beyond this many people whose name or address contains the words, the requester condition
# stays a join (slower, but the search is too vague to be quick anyway).
REQUESTER_MATCH_LIMIT = 500


class StoredVectorMatch(Expression):
    """`<ticket>.search_vector @@ (French query || English query)`, on whichever alias the
    ticket table has in the final SQL.

    The stored vector is a column the migrations add (0003), not a model field; the table's
    alias is read from the compiled primary key, so the condition stays on its own row when the
    queryset becomes a subquery (`page_rows`), where a fixed `tickets_ticket.` would point at
    the outer query's row and turn the condition into a correlated one, run for every ticket.
    `indexed=False` writes coalesce(), an expression the GIN index does not cover, with the same
    matches: the planner then checks rows rather than reading the index.
    """

    output_field = BooleanField()

    def __init__(self, text: str, *, indexed: bool = True) -> None:
        super().__init__()
        self.text = text
        self.indexed = indexed
        self.pk = F("pk")

    def get_source_expressions(self) -> list:
        return [self.pk]

    def set_source_expressions(self, expressions: list) -> None:
        (self.pk,) = expressions

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        pk_sql, pk_params = compiler.compile(self.pk)
        table = pk_sql.rsplit(".", 1)[0]
        vector = f"{table}.search_vector"
        if not self.indexed:
            vector = f"coalesce({vector}, ''::tsvector)"
        sql = (
            f"{vector} @@ (websearch_to_tsquery('french'::regconfig, %s) "
            "|| websearch_to_tsquery('english'::regconfig, %s))"
        )
        return sql, [*pk_params, self.text, self.text]


def _fulltext_match(text: str, indexed: bool = True) -> Q:
    """The ticket's stored vector matches the words stemmed in French or in English.

    A condition on the row itself (not a join), so PostgreSQL may either read the GIN index
    (rare words) or walk the queue in display order checking each row (common words).
    """
    if not indexed:
        return Q(StoredVectorMatch(text, indexed=False))
    # Written twice on purpose. PostgreSQL estimates a word absent from its sampled statistics
    # at about one ticket in a thousand; for a rare word it then expects a thousand matches,
    # walks the queue in display order to fill the first page and reads every ticket. Two
    # identical conditions multiply their estimated selectivities: rare words then look rare (the
    # GIN index is read) while common ones still look common (the walk stops after a few dozen
    # rows). Checking the condition twice on a fetched row costs nothing.
    # The words are bound parameters, never part of the SQL text.
    return Q(StoredVectorMatch(text)) & Q(StoredVectorMatch(text))


def _requester_match(text: str) -> Q:
    """Tickets of the people whose name or address contains the text (one query): a list of ids
    keeps the condition on the ticket row, where an OR with a join would scan every ticket."""
    from accounts.models import User

    people = Q(full_name__icontains=text) | Q(email__icontains=text)
    ids = list(
        User.objects.filter(people).values_list("pk", flat=True)[: REQUESTER_MATCH_LIMIT + 1]
    )
    if len(ids) > REQUESTER_MATCH_LIMIT:
        return Q(requester__full_name__icontains=text) | Q(requester__email__icontains=text)
    return Q(requester_id__in=ids) if ids else Q(pk__in=[])


def _substring_match(text: str) -> Q:
    """Every word must appear in the subject, the description or one of the ticket's messages."""
    match = Q()
    for word in text.split():
        event_ticket_ids = TicketEvent.objects.filter(text__icontains=word).values("ticket_id")
        match &= (
            Q(subject__icontains=word) | Q(description__icontains=word) | Q(pk__in=event_ticket_ids)
        )
    return match


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
    `count_cap(filters)` (that value means "at least").
    """
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


def waiting_on_me(user, limit: int = 10) -> QuerySet[Ticket]:
    """The person's tickets in progress, the most recently active first."""
    tickets = desk_tickets(user).filter(assignee=user, status=Ticket.Status.IN_PROGRESS)
    return page_rows(tickets.order_by("-updated_at", "-pk")[:limit])


def oldest_open(user, limit: int = 10) -> QuerySet[Ticket]:
    """Active tickets of the person's services, the oldest first."""
    tickets = desk_tickets(user).filter(status__in=Ticket.ACTIVE_STATUSES)
    return chosen_rows(tickets.order_by("created_at", "pk")[:limit])


def requester_recent_tickets(ticket: Ticket, user, limit: int = 5) -> QuerySet[Ticket]:
    """The requester's other recent tickets that this agent may see."""
    tickets = desk_tickets(user).filter(requester_id=ticket.requester_id).exclude(pk=ticket.pk)
    return tickets.select_related("category").order_by("-created_at", "-pk")[:limit]


def memberships_of(user) -> QuerySet[ServiceMembership]:
    """The person's memberships, for the availability switch."""
    return ServiceMembership.objects.filter(user=user).select_related("service")


def agent_load(user) -> QuerySet[ServiceMembership]:
    """For a service head: each member of the services they head and their active tickets."""
    headed = ServiceMembership.objects.filter(user=user, role=ServiceMembership.Role.HEAD).values(
        "service_id"
    )
    open_assigned = Ticket.objects.filter(
        assignee_id=OuterRef("user_id"),
        service_id=OuterRef("service_id"),
        status__in=Ticket.ACTIVE_STATUSES,
    )
    return (
        ServiceMembership.objects.filter(service_id__in=headed)
        .select_related("user", "service")
        .annotate(
            open_tickets=Coalesce(
                Subquery(
                    open_assigned.order_by()
                    .values("assignee_id")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
        .order_by("service__name", "user__full_name", "user__email")
    )
