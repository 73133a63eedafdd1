"""Every figure of a service's statistics page over a period, computed or read from the cache.

Heads of service use them to share the workload and to spot recurring problems. Every figure is
aggregated by the database: `service_stats` runs the same number of queries whatever the period
and the number of tickets.

Which tickets count for a service: those *currently* in it. A ticket transferred from service A to
service B counts, with its whole history, for B only; A sees it no more, as in its queues.

Where the history matters (closures, reopenings, refusals), it is read from the timeline
(`TicketEvent.action`), not from the ticket's current fields: a ticket closed, reopened and closed
again counts two closures and one reopening.
"""

from __future__ import annotations

import contextlib
import zlib
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DateField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Substr, TruncDate, TruncWeek
from django.utils import timezone

from categories.models import Category, Service, ServiceMembership
from tickets import permissions
from tickets.models import Ticket, TicketEvent
from tickets.moves import Move, Stat, counted_as
from tickets.selectors.stats import delays, words
from tickets.selectors.stats.periods import Period
from tickets.selectors.stats.results import (
    AgentRow,
    CategoryGroup,
    CategoryRow,
    Growth,
    OriginRow,
    ServiceStats,
    TimelineRow,
)

# How each move counts is declared with it (`MoveRule.stat`).
# Moves that close a ticket as solved (by the requester, by the agent's proposal, or by expiry).
CLOSING_ACTIONS = counted_as(Stat.CLOSING)
# Moves that end a ticket without solving it.
ENDING_ACTIONS = counted_as(Stat.ENDING)
REOPENING_ACTIONS = counted_as(Stat.REOPENING)

TOP_GROWING = 5

# Length of a root category's `tree_path` ("00000.00000012/"): see Category._path_segment.
ROOT_PATH_LENGTH = 15

_CACHE_SHAPE = zlib.crc32(",".join(f.name for f in fields(ServiceStats)).encode())


def services_for(user: Any) -> QuerySet[Service]:
    """The services whose statistics the person may read: their own, or all for a superuser."""
    if not user.is_authenticated or not user.is_active:
        return Service.objects.none()
    if user.is_superuser:
        return Service.objects.all()
    return Service.objects.filter(pk__in=permissions.agent_service_ids(user))


def service_stats(service: Service, period: Period) -> ServiceStats:
    """Every figure of the statistics page for one service and period (eleven queries)."""
    tickets = Ticket.objects.filter(service=service).order_by()
    in_period = Q(created_at__gte=period.start, created_at__lt=period.end)
    events = events_since(service, period.start)

    backlog_start = _backlog_at(tickets, events, period.start)
    created, origins = _created(tickets.filter(in_period), period)
    timeline = _timeline(created, events.filter(in_period), period, backlog_start)
    rates = events.filter(in_period).aggregate(
        closure_requested=Count("ticket", distinct=True, filter=Q(action=Move.REQUEST_CLOSURE)),
        closure_refused=Count("ticket", distinct=True, filter=Q(action=Move.REFUSE_CLOSURE)),
        closed_tickets=Count("ticket", distinct=True, filter=Q(action__in=CLOSING_ACTIONS)),
        reopened_tickets=Count("ticket", distinct=True, filter=Q(action__in=REOPENING_ACTIONS)),
        automatic_closures=Count("pk", filter=Q(action=Move.EXPIRE_CLOSURE)),
    )
    categories, growing = _categories(tickets, period)
    first_response, resolution, postponed = delays.durations(tickets, period)
    return ServiceStats(
        service=service,
        period=period,
        timeline=timeline,
        backlog_start=backlog_start,
        categories=categories,
        growing=growing,
        first_response=first_response,
        resolution=resolution,
        workload=_workload(service, tickets, period),
        heat=_heat(tickets.filter(in_period)),
        words=words.frequent_words(service, period),
        origins=origins,
        postponed=postponed,
        **rates,
    )


def events_since(service: Service, moment: datetime) -> QuerySet[TicketEvent]:
    """The events of the service's tickets since a moment.

    Recording an event sets the ticket's `updated_at` to the event's time (tickets/events.py), so
    a ticket with an event since the moment has `updated_at` since then too. Saying so lets
    PostgreSQL read the tickets active since the moment (index on service and updated_at), then
    their events, rather than joining every event of the period to every ticket of the service.
    """
    return TicketEvent.objects.filter(
        ticket__service=service, ticket__updated_at__gte=moment, created_at__gte=moment
    ).order_by()


def cached_service_stats(service: Service, period: Period) -> ServiceStats:
    """`service_stats`, computed at most once per STATS_CACHE_SECONDS for a service and period.

    The page aggregates the period's tickets and events (hundreds of milliseconds for a large
    service); heads of service read trends, not the last minute, and the page says when its
    figures were computed. The key holds the fields of ServiceStats, so that figures cached by
    another version of the code are never read back. An unreachable cache computes the figures.
    """
    seconds = settings.STATS_CACHE_SECONDS
    if seconds <= 0:
        return service_stats(service, period)
    key = f"stats:{_CACHE_SHAPE}:{service.pk}:{period.first_day}:{period.last_day}"
    try:
        data = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
        data = None
    if isinstance(data, ServiceStats):
        return data
    data = service_stats(service, period)
    with contextlib.suppress(Exception):  # same
        cache.set(key, data, seconds)
    return data


def _backlog_at(tickets: QuerySet[Ticket], events: QuerySet[TicketEvent], moment: datetime) -> int:
    """Tickets open at a moment: created before it, minus endings, plus reopenings (two queries).
    Equivalently, the tickets open now minus those created since, plus endings since, minus
    reopenings since, which is what is computed.

    A ticket's history alternates open → ended → reopened → ended..., so summing over tickets
    gives the number still open without reading them one by one.
    """
    # Counted backwards from the tickets open now, so that only what happened since `moment` is
    # read: counting from the beginning would read the service's whole history.
    since = Q(created_at__gte=moment)
    active = Q(status__in=Ticket.ACTIVE_STATUSES)
    tickets_now = tickets.filter(active | since).aggregate(
        open=Count("pk", filter=active), created=Count("pk", filter=since)
    )
    moves = events.filter(since).aggregate(
        ended=Count("pk", filter=Q(action__in=CLOSING_ACTIONS + ENDING_ACTIONS)),
        reopened=Count("pk", filter=Q(action__in=REOPENING_ACTIONS)),
    )
    return tickets_now["open"] - tickets_now["created"] + moves["ended"] - moves["reopened"]


def _bucket(period: Period, field_name: str) -> TruncDate | TruncWeek:
    tz = timezone.get_current_timezone()
    if period.weekly:
        return TruncWeek(field_name, output_field=DateField(), tzinfo=tz)
    return TruncDate(field_name, tzinfo=tz)


def _as_date(value: date | datetime | str) -> date:
    # SQLite returns the truncated week as a "YYYY-MM-DD 00:00:00" string on some versions.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _created(tickets: QuerySet[Ticket], period: Period) -> tuple[dict[date, int], list[OriginRow]]:
    """Tickets created per day (or week) and per origin (web, email...), in one query: counted
    per day and origin, then summed each way."""
    per_bucket: dict[date, int] = {}
    per_origin: dict[str, int] = {}
    rows = (
        tickets.annotate(bucket=_bucket(period, "created_at"))
        .values("bucket", "origin")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        bucket = _as_date(row["bucket"])
        per_bucket[bucket] = per_bucket.get(bucket, 0) + row["n"]
        per_origin[row["origin"]] = per_origin.get(row["origin"], 0) + row["n"]
    total = sum(per_origin.values())
    order = {value: index for index, value in enumerate(Ticket.Origin.values)}
    origins = [
        OriginRow(origin=origin, count=count, share=round(100 * count / total, 1))
        for origin, count in sorted(
            per_origin.items(), key=lambda item: (-item[1], order.get(item[0], len(order)))
        )
    ]
    return per_bucket, origins


def _timeline(
    created: dict[date, int], events: QuerySet[TicketEvent], period: Period, backlog: int
) -> list[TimelineRow]:
    moves = {
        _as_date(row["bucket"]): row
        for row in events.filter(action__in=CLOSING_ACTIONS + ENDING_ACTIONS + REOPENING_ACTIONS)
        .annotate(bucket=_bucket(period, "created_at"))
        .values("bucket")
        .annotate(
            closed=Count("pk", filter=Q(action__in=CLOSING_ACTIONS)),
            ended=Count("pk", filter=Q(action__in=ENDING_ACTIONS)),
            reopened=Count("pk", filter=Q(action__in=REOPENING_ACTIONS)),
        )
    }
    rows = []
    for bucket in period.buckets():
        move = moves.get(bucket, {})
        closed, ended, reopened = (
            move.get("closed", 0),
            move.get("ended", 0),
            move.get("reopened", 0),
        )
        backlog += created.get(bucket, 0) - closed - ended + reopened
        rows.append(
            TimelineRow(
                bucket=bucket,
                last_day=period.bucket_end(bucket),
                created=created.get(bucket, 0),
                closed=closed,
                ended=ended,
                reopened=reopened,
                backlog=backlog,
            )
        )
    return rows


def _categories(
    tickets: QuerySet[Ticket], period: Period
) -> tuple[list[CategoryGroup], list[Growth]]:
    """Tickets per category in the period and in the previous one (one query).

    Returns the distribution grouped by top-level category, largest first, and the categories
    whose volume grew most against the previous period of the same length.
    """
    previous = period.previous()
    root_name = Category.objects.filter(
        tree_path=Substr(OuterRef("category__tree_path"), 1, ROOT_PATH_LENGTH)
    ).values("name")[:1]
    rows = (
        tickets.filter(created_at__gte=previous.start, created_at__lt=period.end)
        .values("category_id", "category__name", "category__parent_id", "category__parent__name")
        .annotate(
            root=Subquery(root_name),
            count=Count("pk", filter=Q(created_at__gte=period.start)),
            previous=Count("pk", filter=Q(created_at__lt=period.start)),
        )
    )
    groups: dict[str, CategoryGroup] = {}
    growing = []
    for row in rows:
        is_root = row["category__parent_id"] is None
        root = row["root"] or row["category__name"]
        name = row["category__name"]
        parent = row["category__parent__name"]
        if not is_root and parent and parent != root:
            # Deeper trees: the direct parent is enough to tell sub-categories apart.
            name = f"{parent} › {name}"
        category = CategoryRow(
            category_id=row["category_id"],
            root=root,
            name=name,
            is_root=is_root,
            count=row["count"],
            previous=row["previous"],
        )
        if category.growth > 0:
            label = name if is_root else f"{root} › {name}"
            growing.append(Growth(row["category_id"], label, category.count, category.previous))
        if category.count:
            group = groups.setdefault(root, CategoryGroup(name=root))
            group.count += category.count
            group.rows.append(category)
    for group in groups.values():
        group.rows.sort(key=lambda r: (not r.is_root, -r.count, r.name))
    ordered = sorted(groups.values(), key=lambda g: (-g.count, g.name))
    growing.sort(key=lambda g: (-g.growth, -g.count, g.name))
    return ordered, growing[:TOP_GROWING]


def _workload(service: Service, tickets: QuerySet[Ticket], period: Period) -> list[AgentRow]:
    """For each member (and anyone else holding tickets): tickets open now, and tickets closed
    as solved in the period while assigned to them (two queries). Unassigned open tickets come
    last, as a row of their own."""
    active = Q(status__in=Ticket.ACTIVE_STATUSES)
    closed = Q(status=Ticket.Status.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end)
    counts = {
        row["assignee_id"]: row
        for row in tickets.filter(active | closed)
        .values("assignee_id", "assignee__full_name", "assignee__email")
        .annotate(open=Count("pk", filter=active), closed=Count("pk", filter=closed))
    }
    members = ServiceMembership.objects.filter(service=service).values_list(
        "user_id", "user__full_name", "user__email"
    )
    rows = []
    for user_id, full_name, email in members:
        row = counts.pop(user_id, {})
        rows.append(
            AgentRow(user_id, full_name or email, True, row.get("open", 0), row.get("closed", 0))
        )
    unassigned = counts.pop(None, None)
    for user_id, row in counts.items():
        name = row["assignee__full_name"] or row["assignee__email"]
        rows.append(AgentRow(user_id, name, False, row["open"], row["closed"]))
    rows.sort(key=lambda r: (-r.open, -r.closed, r.name.lower()))
    if unassigned and unassigned["open"]:
        rows.append(AgentRow(None, "", False, unassigned["open"], 0))
    return rows


def _heat(tickets: QuerySet[Ticket]) -> list[list[int]]:
    """Tickets created per weekday (Monday first) and hour of the day, local time (one query)."""
    heat = [[0] * 24 for _day in range(7)]
    rows = (
        tickets.annotate(weekday=ExtractIsoWeekDay("created_at"), hour=ExtractHour("created_at"))
        .values("weekday", "hour")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        heat[row["weekday"] - 1][row["hour"]] = row["n"]
    return heat
