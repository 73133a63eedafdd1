"""The statistics' daily rollup: per service and day, the tickets created and the moves counted,
so that the statistics page reads a few rows per day instead of the period's tickets and events.

Which days are rolled up is recorded (`StatsRollupDay`); the page computes every other day, today
always included, from the tickets themselves (`tickets.selectors.stats.figures`), so the figures
are the same with or without the rollup. A day is recomputed whole, for every service, in one
transaction: `recompute` is idempotent.

A ticket counts for the service and category it is in now, with its whole history. A transfer or
a correction of the category therefore changes past days: `refresh` (Celery beat) recomputes the
recent days and every rolled-up day touched by a ticket transferred or corrected since its last
run. `differences` compares the rollup with the tickets (`manage.py check_stats_rollup`), and
`rebuild` fills the history (`manage.py rebuild_stats_rollup`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Max, Min, Q, QuerySet, Value
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from tickets.models import (
    StatsRollupDay,
    Ticket,
    TicketDailyFigures,
    TicketDayMoves,
    TicketEvent,
    TicketHourlyFigures,
)
from tickets.moves import (
    CLOSING_ACTIONS,
    ENDING_ACTIONS,
    REOPENING_ACTIONS,
    Kind,
    Move,
)

COUNTED_ACTIONS = CLOSING_ACTIONS + ENDING_ACTIONS + REOPENING_ACTIONS
AUTOMATIC_ACTION = Move.EXPIRE_CLOSURE
# The moves whose tickets the closure and reopen rates count (`TicketDayMoves`).
RATE_ACTIONS = (Move.REQUEST_CLOSURE, Move.REFUSE_CLOSURE, *CLOSING_ACTIONS, *REOPENING_ACTIONS)

# Days before today recomputed on every refresh: moves recorded in a transaction that began
# before midnight, or written late by an import, land on a day already rolled up.
RECENT_DAYS = 2
# A refresh looks for transfers and corrections a little before the previous one began, so that
# one committed while it ran is not missed.
OVERLAP = timedelta(minutes=10)

DAILY_COUNTERS = ("created", "closed", "ended", "reopened", "automatic_closures")
RATE_COUNTERS = ("closure_requested", "closure_refused", "closed", "reopened")


def midnight(day: date) -> datetime:
    """The first instant of a day in the site's time zone (aware)."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def local_day(field_name: str) -> TruncDate:
    """The day of a moment in the site's time zone, as the statistics page groups it."""
    return TruncDate(field_name, tzinfo=timezone.get_current_timezone())


# --- What the rollup holds, computed from the tickets --------------------------------------------


def created_per_day(tickets: QuerySet[Ticket]) -> QuerySet:
    """Tickets created per service, day, category and origin (the daily table's `created`)."""
    return (
        tickets.order_by()
        .annotate(s=F("service_id"), d=local_day("created_at"), c=F("category_id"), o=F("origin"))
        .values("s", "d", "c", "o")
        .annotate(
            created=Count("pk"),
            closed=Value(0, output_field=IntegerField()),
            ended=Value(0, output_field=IntegerField()),
            reopened=Value(0, output_field=IntegerField()),
            automatic_closures=Value(0, output_field=IntegerField()),
        )
    )


def moves_per_day(events: QuerySet[TicketEvent]) -> QuerySet:
    """The counted moves per service, day, category and origin of their ticket (now)."""
    return (
        events.filter(action__in=COUNTED_ACTIONS)
        .order_by()
        .annotate(
            s=F("ticket__service_id"),
            d=local_day("created_at"),
            c=F("ticket__category_id"),
            o=F("ticket__origin"),
        )
        .values("s", "d", "c", "o")
        .annotate(
            created=Value(0, output_field=IntegerField()),
            closed=Count("pk", filter=Q(action__in=CLOSING_ACTIONS)),
            ended=Count("pk", filter=Q(action__in=ENDING_ACTIONS)),
            reopened=Count("pk", filter=Q(action__in=REOPENING_ACTIONS)),
            automatic_closures=Count("pk", filter=Q(action=AUTOMATIC_ACTION)),
        )
    )


def rate_moves_per_day(events: QuerySet[TicketEvent]) -> QuerySet:
    """The moves the rates count, per service (now), day and ticket (`TicketDayMoves`)."""
    return (
        events.filter(action__in=RATE_ACTIONS)
        .order_by()
        .annotate(s=F("ticket__service_id"), d=local_day("created_at"), t=F("ticket_id"))
        .values("s", "d", "t")
        .annotate(
            closure_requested=Count("pk", filter=Q(action=Move.REQUEST_CLOSURE)),
            closure_refused=Count("pk", filter=Q(action=Move.REFUSE_CLOSURE)),
            closed=Count("pk", filter=Q(action__in=CLOSING_ACTIONS)),
            reopened=Count("pk", filter=Q(action__in=REOPENING_ACTIONS)),
        )
    )


def created_per_hour(tickets: QuerySet[Ticket]) -> QuerySet:
    """Tickets created per service, day and hour of the day (the hourly table)."""
    return (
        tickets.order_by()
        .annotate(
            s=F("service_id"),
            d=local_day("created_at"),
            h=ExtractHour("created_at", tzinfo=timezone.get_current_timezone()),
        )
        .values("s", "d", "h")
        .annotate(created=Count("pk"))
    )


def _in_days(first_day: date, last_day: date) -> Q:
    return Q(created_at__gte=midnight(first_day), created_at__lt=midnight(last_day + timedelta(1)))


# --- Writing it ----------------------------------------------------------------------------------


def recompute(first_day: date, last_day: date) -> None:
    """Computes the days from `first_day` to `last_day` (included) again from the tickets, for
    every service, and records them as rolled up (one INSERT ... SELECT per table)."""
    if last_day < first_day:
        return
    days = _in_days(first_day, last_day)
    daily = created_per_day(Ticket.objects.filter(days)).union(
        moves_per_day(TicketEvent.objects.filter(days)), all=True
    )
    hourly = created_per_hour(Ticket.objects.filter(days))
    rates = rate_moves_per_day(TicketEvent.objects.filter(days))
    daily_table = connection.ops.quote_name(TicketDailyFigures._meta.db_table)
    hourly_table = connection.ops.quote_name(TicketHourlyFigures._meta.db_table)
    rates_table = connection.ops.quote_name(TicketDayMoves._meta.db_table)
    daily_sql, daily_params = daily.query.sql_with_params()
    hourly_sql, hourly_params = hourly.query.sql_with_params()
    rates_sql, rates_params = rates.query.sql_with_params()
    rate_counters = ", ".join(RATE_COUNTERS)
    counters = ", ".join(DAILY_COUNTERS)
    sums = ", ".join(f"SUM({name})" for name in DAILY_COUNTERS)
    with transaction.atomic():
        _lock()
        TicketDailyFigures.objects.filter(day__gte=first_day, day__lte=last_day).delete()
        TicketHourlyFigures.objects.filter(day__gte=first_day, day__lte=last_day).delete()
        TicketDayMoves.objects.filter(day__gte=first_day, day__lte=last_day).delete()
        StatsRollupDay.objects.filter(day__gte=first_day, day__lte=last_day).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {daily_table} (service_id, day, category_id, origin, {counters}) "  # noqa: S608 - our own tables and compiled queries
                f"SELECT s, d, c, o, {sums} FROM ({daily_sql}) parts GROUP BY s, d, c, o",
                daily_params,
            )
            cursor.execute(
                f"INSERT INTO {hourly_table} (service_id, day, hour, created) "  # noqa: S608 - same
                f"SELECT s, d, h, created FROM ({hourly_sql}) parts",
                hourly_params,
            )
            cursor.execute(
                f"INSERT INTO {rates_table} (service_id, day, ticket_id, {rate_counters}) "  # noqa: S608 - same
                f"SELECT s, d, t, {rate_counters} FROM ({rates_sql}) parts",
                rates_params,
            )
        now = timezone.now()
        StatsRollupDay.objects.bulk_create(
            StatsRollupDay(day=day, computed_at=now) for day in _days(first_day, last_day)
        )


def _lock() -> None:
    """Two recomputations of the same days wait for each other rather than collide."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('tickets.rollup'))")


def rebuild(
    first_day: date | None = None, last_day: date | None = None, *, missing_only: bool = False
) -> list[tuple[date, date]]:
    """Rolls up the history, from the first ticket's day (or `first_day`) to yesterday (or
    `last_day`), or only the days of that stretch not rolled up yet; returns the stretches
    computed, as (first day, last day)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    last_day = min(last_day or yesterday, yesterday)
    if first_day is None:
        first = Ticket.objects.aggregate(first=Min("created_at"))["first"]
        if first is None:
            return []
        first_day = timezone.localtime(first).date()
    if last_day < first_day:
        return []
    runs = [(first_day, last_day)]
    if missing_only:
        held = set(rolled_days(first_day, last_day))
        runs = day_runs(day for day in _days(first_day, last_day) if day not in held)
    for run_first, run_last in runs:
        recompute(run_first, run_last)
    if runs and connection.vendor == "postgresql":
        # The planner's figures for the new rows, before the statistics page reads them.
        with connection.cursor() as cursor:
            for model in (TicketDailyFigures, TicketHourlyFigures, TicketDayMoves, StatsRollupDay):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return runs


def refresh() -> list[date]:
    """The beat task's work: recomputes the last RECENT_DAYS days (and any day since the last one
    rolled up, after beat was stopped), and the rolled-up days of the tickets transferred or
    corrected since the previous refresh. Returns the days recomputed."""
    today = timezone.localdate()
    first_day = today - timedelta(days=RECENT_DAYS)
    latest = StatsRollupDay.objects.aggregate(day=Max("day"))["day"]
    if latest is not None:
        first_day = min(first_day, latest + timedelta(days=1))
    last_run = StatsRollupDay.objects.filter(
        day__gte=today - timedelta(days=RECENT_DAYS)
    ).aggregate(at=Max("computed_at"))["at"]
    days = set(_days(first_day, today - timedelta(days=1)))
    if last_run is not None:
        days |= touched_days(last_run - OVERLAP) & set(rolled_days())
    for run_first, run_last in day_runs(sorted(days)):
        recompute(run_first, run_last)
    return sorted(days)


def touched_days(since: datetime) -> set[date]:
    """The days whose figures a transfer or a correction of the category made since `since`
    changed: each such ticket's day of creation and the days of its counted moves."""
    moved = TicketEvent.objects.filter(
        kind__in=(Kind.TRANSFERRED, Kind.CORRECTED), created_at__gte=since
    ).values("ticket_id")
    created = Ticket.objects.filter(pk__in=moved).annotate(d=local_day("created_at"))
    moves = TicketEvent.objects.filter(
        ticket_id__in=moved, action__in=COUNTED_ACTIONS + RATE_ACTIONS
    ).annotate(d=local_day("created_at"))
    days = set(created.values_list("d", flat=True).distinct())
    days |= set(moves.values_list("d", flat=True).distinct())
    return {_as_date(day) for day in days}


def rolled_days(first_day: date | None = None, last_day: date | None = None) -> list[date]:
    """The rolled-up days, oldest first (between the days given)."""
    days = StatsRollupDay.objects.order_by("day")
    if first_day:
        days = days.filter(day__gte=first_day)
    if last_day:
        days = days.filter(day__lte=last_day)
    return list(days.values_list("day", flat=True))


# --- Checking it ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A row of the rollup that differs from what the tickets give (None: missing)."""

    table: str
    key: tuple
    stored: tuple | None
    computed: tuple | None


def differences(first_day: date, last_day: date) -> list[Difference]:
    """The rolled-up days' rows that differ from the figures computed from the tickets now."""
    rolled = rolled_days(first_day, last_day)
    found: list[Difference] = []
    for run_first, run_last in day_runs(rolled):
        days = _in_days(run_first, run_last)
        computed: dict[tuple, list[int]] = {}
        for row in created_per_day(Ticket.objects.filter(days)).union(
            moves_per_day(TicketEvent.objects.filter(days)), all=True
        ):
            key = (row["s"], _as_date(row["d"]), row["c"], row["o"])
            counters = computed.setdefault(key, [0] * len(DAILY_COUNTERS))
            for index, name in enumerate(DAILY_COUNTERS):
                counters[index] += row[name]
        stored = {
            (row["service_id"], row["day"], row["category_id"], row["origin"]): [
                row[name] for name in DAILY_COUNTERS
            ]
            for row in TicketDailyFigures.objects.filter(
                day__gte=run_first, day__lte=run_last
            ).values("service_id", "day", "category_id", "origin", *DAILY_COUNTERS)
        }
        found += _compare("daily", stored, computed)
        computed_hours = {
            (row["s"], _as_date(row["d"]), int(row["h"])): [row["created"]]
            for row in created_per_hour(Ticket.objects.filter(days))
        }
        stored_hours = {
            (row["service_id"], row["day"], row["hour"]): [row["created"]]
            for row in TicketHourlyFigures.objects.filter(
                day__gte=run_first, day__lte=run_last
            ).values("service_id", "day", "hour", "created")
        }
        found += _compare("hourly", stored_hours, computed_hours)
        computed_rates = {
            (row["s"], _as_date(row["d"]), row["t"]): [row[name] for name in RATE_COUNTERS]
            for row in rate_moves_per_day(TicketEvent.objects.filter(days))
        }
        stored_rates = {
            (row["service_id"], row["day"], row["ticket_id"]): [row[name] for name in RATE_COUNTERS]
            for row in TicketDayMoves.objects.filter(day__gte=run_first, day__lte=run_last).values(
                "service_id", "day", "ticket_id", *RATE_COUNTERS
            )
        }
        found += _compare("tickets", stored_rates, computed_rates)
    return found


def _compare(table: str, stored: dict, computed: dict) -> list[Difference]:
    found = []
    for key in sorted(stored.keys() | computed.keys(), key=str):
        have, want = stored.get(key), computed.get(key)
        if want is not None and not any(want):
            want = None
        if have is not None and not any(have):
            have = None
        if have != want:
            found.append(
                Difference(table, key, tuple(have) if have else None, tuple(want) if want else None)
            )
    return found


# --- Days ----------------------------------------------------------------------------------------


def _days(first_day: date, last_day: date) -> Iterator[date]:
    day = first_day
    while day <= last_day:
        yield day
        day += timedelta(days=1)


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days: [(first, last), ...]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _as_date(value: date | datetime | str) -> date:
    # SQLite returns dates computed in SQL as strings.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def live_ranges(
    first_day: date, last_day: date, rolled: Iterable[date]
) -> list[tuple[datetime, datetime | None]]:
    """The stretches of [first_day, last_day] the rollup does not hold, as [start, end) moments;
    a stretch reaching `last_day` is left open (None), so that it takes in every later moment."""
    held = set(rolled)
    missing = [day for day in _days(first_day, last_day) if day not in held]
    ranges: list[tuple[datetime, datetime | None]] = []
    for run_first, run_last in day_runs(missing):
        end = None if run_last == last_day else midnight(run_last + timedelta(days=1))
        ranges.append((midnight(run_first), end))
    return ranges


def in_days(days: Iterable[date]) -> Q:
    """A condition on the rollup tables' `day`: one of these days (runs of consecutive days, so
    that a long period is a single range). Never empty SQL, like `in_ranges`."""
    condition = Q()
    for first_day, last_day in day_runs(sorted(days)):
        condition |= Q(day__gte=first_day, day__lte=last_day)
    if not condition:
        never = date(2000, 1, 1)
        condition = Q(day__gte=never, day__lt=never)
    return condition


def in_ranges(field_name: str, ranges: list[tuple[datetime, datetime | None]]) -> Q:
    """A condition on a moment field: within one of the ranges. Never empty SQL (the query runs
    even when the rollup holds every day, so that the page's query count stays fixed)."""
    condition = Q()
    for start, end in ranges:
        part = Q(**{f"{field_name}__gte": start})
        if end is not None:
            part &= Q(**{f"{field_name}__lt": end})
        condition |= part
    if not ranges:
        never = midnight(date(2000, 1, 1))
        condition = Q(**{f"{field_name}__gte": never, f"{field_name}__lt": never})
    return condition
