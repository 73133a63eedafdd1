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

import zlib
from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from categories.models import Category, Service, ServiceMembership
from helpdesk import caching
from tickets import permissions, rollup
from tickets.models import (
    Ticket,
    TicketDailyFigures,
    TicketDayMoves,
    TicketEvent,
    TicketHourlyFigures,
)
from tickets.moves import CLOSING_ACTIONS, ENDING_ACTIONS, REOPENING_ACTIONS, Move
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
    """Every figure of the statistics page for one service and period (ten queries).

    The tickets created and the moves counted per day come from the daily rollup
    (`tickets.rollup`) for the days it holds, and from the tickets and their timeline for the
    others (today always): the figures are the same either way.
    """
    tickets = Ticket.objects.filter(service=service).order_by()
    today = timezone.localdate()
    first_day = period.previous().first_day
    # Up to today at least: the backlog is counted back from the tickets open now.
    last_day = max(today, period.last_day)
    held = [day for day in rollup.rolled_days(first_day, last_day) if day < today]
    live = rollup.live_ranges(first_day, last_day, held)
    rolled = Q(service=service) & rollup.in_days(held)

    created = _created_per_day(tickets, rolled, live)
    moves = _moves_per_day(service, period, rolled, live)
    workload = _workload(service, tickets, period)
    created_since = sum(
        count
        for day, per_category in created.items()
        if day >= period.first_day
        for per_origin in per_category.values()
        for count in per_origin.values()
    )
    moved_since = [row for day, row in moves.items() if day >= period.first_day]
    # Tickets open at the start: those open now, minus those created since, plus the endings
    # since, minus the reopenings since (a ticket's history alternates open and ended).
    backlog_start = (
        sum(row.open for row in workload)
        - created_since
        + sum(row["closed"] + row["ended"] for row in moved_since)
        - sum(row["reopened"] for row in moved_since)
    )
    per_bucket, origins = _created_in(created, period)
    timeline = _timeline(per_bucket, moves, period, backlog_start)
    categories, growing = _categories(created, period)
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
        workload=workload,
        heat=_heat(tickets, period, rolled, live),
        words=words.frequent_words(service, period),
        origins=origins,
        postponed=postponed,
        automatic_closures=sum(
            row["automatic_closures"]
            for day, row in moves.items()
            if period.first_day <= day <= period.last_day
        ),
        **_rates(service, period, rolled, live),
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
    return caching.kept(
        lambda: key,
        lambda: service_stats(service, period),
        seconds,
        usable=lambda found: isinstance(found, ServiceStats),
    )


def _bucket_of(day: date, period: Period) -> date:
    """The day itself, or the Monday of its week when the period is grouped by week."""
    return day - timedelta(days=day.weekday()) if period.weekly else day


def _as_date(value: date | datetime | str) -> date:
    # SQLite returns the days computed in SQL as strings.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


# Tickets created per day: {day: {category_id: {origin: count}}}.
CreatedPerDay = dict[date, dict[int, dict[str, int]]]


def _created_per_day(
    tickets: QuerySet[Ticket], rolled: Q, live: list[tuple[datetime, datetime | None]]
) -> CreatedPerDay:
    """Tickets created per day, category and origin, from the previous period's first day on
    (one query: the rollup's days, and the others counted from the tickets)."""
    held = (
        TicketDailyFigures.objects.filter(rolled, created__gt=0)
        .order_by()
        .values(d=F("day"), c=F("category_id"), o=F("origin"))
        .annotate(n=Sum("created"))
    )
    counted = (
        tickets.filter(rollup.in_ranges("created_at", live))
        .annotate(d=rollup.local_day("created_at"), c=F("category_id"), o=F("origin"))
        .values("d", "c", "o")
        .annotate(n=Count("pk"))
    )
    created: CreatedPerDay = {}
    for row in held.union(counted, all=True):
        per_origin = created.setdefault(_as_date(row["d"]), {}).setdefault(row["c"], {})
        per_origin[row["o"]] = per_origin.get(row["o"], 0) + row["n"]
    return created


def _created_in(created: CreatedPerDay, period: Period) -> tuple[dict[date, int], list[OriginRow]]:
    """Tickets created in the period per day (or week) and per origin (web, email...)."""
    per_bucket: dict[date, int] = {}
    per_origin: dict[str, int] = {}
    for day, per_category in created.items():
        if not period.first_day <= day <= period.last_day:
            continue
        bucket = _bucket_of(day, period)
        for counts in per_category.values():
            for origin, count in counts.items():
                per_bucket[bucket] = per_bucket.get(bucket, 0) + count
                per_origin[origin] = per_origin.get(origin, 0) + count
    total = sum(per_origin.values())
    order = {value: index for index, value in enumerate(Ticket.Origin.values)}
    origins = [
        OriginRow(origin=origin, count=count, share=round(100 * count / total, 1))
        for origin, count in sorted(
            per_origin.items(), key=lambda item: (-item[1], order.get(item[0], len(order)))
        )
    ]
    return per_bucket, origins


def _moves_per_day(
    service: Service, period: Period, rolled: Q, live: list[tuple[datetime, datetime | None]]
) -> dict[date, dict[str, int]]:
    """Closing, ending and reopening moves per day from the period's first day on, and the
    automatic closures among them (one query: the rollup's days, the others from the events)."""
    held = (
        TicketDailyFigures.objects.filter(rolled, day__gte=period.first_day)
        .order_by()
        .values(d=F("day"))
        .annotate(
            closed=Sum("closed"),
            ended=Sum("ended"),
            reopened=Sum("reopened"),
            automatic_closures=Sum("automatic_closures"),
        )
    )
    counted = (
        events_since(service, _since(period, live))
        .filter(rollup.in_ranges("created_at", live), action__in=rollup.COUNTED_ACTIONS)
        .annotate(d=rollup.local_day("created_at"))
        .values("d")
        .annotate(
            closed=Count("pk", filter=Q(action__in=CLOSING_ACTIONS)),
            ended=Count("pk", filter=Q(action__in=ENDING_ACTIONS)),
            reopened=Count("pk", filter=Q(action__in=REOPENING_ACTIONS)),
            automatic_closures=Count("pk", filter=Q(action=Move.EXPIRE_CLOSURE)),
        )
    )
    moves: dict[date, dict[str, int]] = {}
    for row in held.union(counted, all=True):
        day = moves.setdefault(
            _as_date(row["d"]),
            {"closed": 0, "ended": 0, "reopened": 0, "automatic_closures": 0},
        )
        for name in day:
            day[name] += row[name] or 0
    return moves


def _since(period: Period, live: list[tuple[datetime, datetime | None]]) -> datetime:
    """The first moment of the period the rollup does not hold: the events are read from the
    tickets active since then (today's, once the past days are rolled up)."""
    starts = [start for start, end in live if end is None or end > period.start]
    return max(period.start, min(starts, default=period.start))


def _rates(
    service: Service, period: Period, rolled: Q, live: list[tuple[datetime, datetime | None]]
) -> dict[str, int]:
    """Tickets (each counted once) whose closure was requested, refused, that were closed or
    reopened in the period (one query).

    A ticket with such moves on two days counts once in the period, so these are no sums of
    days: the distinct tickets are counted over the rollup's rows of tickets and days
    (`TicketDayMoves`) and, for the other days, over the events.
    """
    names = rollup.RATE_COUNTERS
    held = (
        TicketDayMoves.objects.filter(rolled, day__gte=period.first_day, day__lte=period.last_day)
        .order_by()
        .values(t=F("ticket_id"))
        .annotate(**{name: Sum(name) for name in names})
    )
    counted = (
        events_since(service, _since(period, live))
        .filter(
            rollup.in_ranges("created_at", live),
            created_at__lt=period.end,
            action__in=rollup.RATE_ACTIONS,
        )
        .values(t=F("ticket_id"))
        .annotate(
            closure_requested=Count("pk", filter=Q(action=Move.REQUEST_CLOSURE)),
            closure_refused=Count("pk", filter=Q(action=Move.REFUSE_CLOSURE)),
            closed=Count("pk", filter=Q(action__in=CLOSING_ACTIONS)),
            reopened=Count("pk", filter=Q(action__in=REOPENING_ACTIONS)),
        )
    )
    parts = held.union(counted, all=True)
    sql, params = parts.query.get_compiler(using=parts.db).as_sql()
    counts = ", ".join(f"COUNT(DISTINCT CASE WHEN {name} > 0 THEN t END)" for name in names)
    with connections[parts.db].cursor() as cursor:
        cursor.execute(f"SELECT {counts} FROM ({sql}) parts", params)  # noqa: S608 - compiled above
        row = cursor.fetchone()
    return dict(
        zip(
            ("closure_requested", "closure_refused", "closed_tickets", "reopened_tickets"),
            row,
            strict=True,
        )
    )


def _timeline(
    created: dict[date, int], moves: dict[date, dict[str, int]], period: Period, backlog: int
) -> list[TimelineRow]:
    per_bucket: dict[date, dict[str, int]] = {}
    for day, counts in moves.items():
        if not period.first_day <= day <= period.last_day:
            continue
        bucket = per_bucket.setdefault(
            _bucket_of(day, period), {"closed": 0, "ended": 0, "reopened": 0}
        )
        for name in bucket:
            bucket[name] += counts[name]
    rows = []
    for bucket in period.buckets():
        move = per_bucket.get(bucket, {})
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


def _categories(created: CreatedPerDay, period: Period) -> tuple[list[CategoryGroup], list[Growth]]:
    """Tickets per category in the period and in the previous one (one query, for the names).

    Returns the distribution grouped by top-level category, largest first, and the categories
    whose volume grew most against the previous period of the same length.
    """
    previous = period.previous()
    counts: dict[int, list[int]] = {}
    for day, per_category in created.items():
        if previous.first_day <= day <= previous.last_day:
            index = 1
        elif period.first_day <= day <= period.last_day:
            index = 0
        else:
            continue
        for category_id, per_origin in per_category.items():
            counts.setdefault(category_id, [0, 0])[index] += sum(per_origin.values())
    # Every category (a few hundred at most): their names and roots without a join per ticket.
    names = {
        pk: (name, parent_id, tree_path)
        for pk, name, parent_id, tree_path in Category.objects.order_by().values_list(
            "pk", "name", "parent_id", "tree_path"
        )
    }
    by_path = {tree_path: name for name, _parent, tree_path in names.values()}
    groups: dict[str, CategoryGroup] = {}
    growing = []
    for category_id, (count, previous_count) in counts.items():
        name, parent_id, tree_path = names.get(category_id, ("", None, ""))
        is_root = parent_id is None
        root = by_path.get(tree_path[:ROOT_PATH_LENGTH]) or name
        parent = names[parent_id][0] if parent_id in names else None
        if not is_root and parent and parent != root:
            # Deeper trees: the direct parent is enough to tell sub-categories apart.
            name = f"{parent} › {name}"
        category = CategoryRow(
            category_id=category_id,
            root=root,
            name=name,
            is_root=is_root,
            count=count,
            previous=previous_count,
        )
        if category.growth > 0:
            label = name if is_root else f"{root} › {name}"
            growing.append(Growth(category_id, label, category.count, category.previous))
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


def _heat(
    tickets: QuerySet[Ticket],
    period: Period,
    rolled: Q,
    live: list[tuple[datetime, datetime | None]],
) -> list[list[int]]:
    """Tickets created per weekday (Monday first) and hour of the day, local time (one query:
    the rollup's days, the others from the tickets)."""
    heat = [[0] * 24 for _day in range(7)]
    held = (
        TicketHourlyFigures.objects.filter(
            rolled, day__gte=period.first_day, day__lte=period.last_day
        )
        .order_by()
        .values(d=F("day"), h=F("hour"))
        .annotate(n=Sum("created"))
    )
    counted = (
        tickets.filter(
            rollup.in_ranges("created_at", live),
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .annotate(
            d=rollup.local_day("created_at"),
            h=ExtractHour("created_at", tzinfo=timezone.get_current_timezone()),
        )
        .values("d", "h")
        .annotate(n=Count("pk"))
    )
    for row in held.union(counted, all=True):
        # PostgreSQL extracts the hour as a numeric.
        heat[_as_date(row["d"]).isoweekday() - 1][int(row["h"])] += int(row["n"])
    return heat
