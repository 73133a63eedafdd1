"""Statistics of one service over a period, and the recurring problems they reveal.

Heads of service use them to share the workload and to spot recurring problems. Every figure is
aggregated by the database: `service_stats` runs the same number of queries whatever the period
and the number of tickets (percentiles are computed by PostgreSQL; other databases fetch the
durations in one query and interpolate them in Python the same way).

Which tickets count for a service: those *currently* in it. A ticket transferred from service A to
service B counts, with its whole history, for B only; A sees it no more, as in its queues.

Where the history matters (closures, reopenings, refusals), it is read from the timeline
(`TicketEvent.action`), not from the ticket's current fields: a ticket closed, reopened and closed
again counts two closures and one reopening.
"""

from __future__ import annotations

import contextlib
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    Substr,
    TruncDate,
    TruncWeek,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy

from categories.models import Category, Service, ServiceMembership
from helpdesk import numbers
from tickets import permissions, selectors
from tickets.models import Ticket, TicketEvent
from tickets.moves import Move, Stat, counted_as
from tickets.queues import StoredVectorMatch

# How each move counts is declared with it (`MoveRule.stat`).
# Moves that close a ticket as solved (by the requester, by the agent's proposal, or by expiry).
CLOSING_ACTIONS = counted_as(Stat.CLOSING)
# Moves that end a ticket without solving it.
ENDING_ACTIONS = counted_as(Stat.ENDING)
REOPENING_ACTIONS = counted_as(Stat.REOPENING)

PERIOD_DAYS = {"7": 7, "30": 30, "90": 90, "365": 365}
CUSTOM = "custom"
DEFAULT_PERIOD = "30"
# Longer periods are grouped by week (a year of days is not readable on one chart).
DAILY_MAX_DAYS = 90
# A custom period may not be longer than this (keeps the charts readable, about 160 weeks).
MAX_DAYS = 3 * 366

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)

TOP_WORDS = 15
TOP_GROWING = 5
MIN_WORD_LENGTH = 3

# Length of a root category's `tree_path` ("00000.00000012/"): see Category._path_segment.
ROOT_PATH_LENGTH = 15

# Words too common to tell one problem from another (French, then English).
_STOPWORD_TEXT = """
    au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
    tu un une vos votre vous c d j l à m n s t y été être avoir fait faire est sont suis plus peut
    pouvez puis sans sous tout tous toute toutes très bien aussi comme car donc alors après avant
    depuis entre encore quand cette cet celui celle chez lors été ai as avons avez ont sera serait
    bonjour merci svp problème problèmes demande besoin impossible
    the a an and or of to in on for with at by from is are was were be been it its this that these
    those as not no can cannot could would should will my your our their me we you they he she him
    her i do does did have has had please help issue problem request hello hi
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


# --- Periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days, from `first_day` to `last_day` included, in the site's time zone."""

    first_day: date
    last_day: date
    key: str = CUSTOM

    @classmethod
    def last_days(cls, days: int, today: date | None = None, key: str = CUSTOM) -> Period:
        """The `days` days ending today (today included)."""
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today, key)

    @classmethod
    def from_choice(
        cls, key: str, start: date | None = None, end: date | None = None, today: date | None = None
    ) -> Period:
        """The period chosen on the page: a number of days, or custom dates."""
        if key == CUSTOM and start and end:
            return cls(start, end, CUSTOM)
        key = key if key in PERIOD_DAYS else DEFAULT_PERIOD
        return cls.last_days(PERIOD_DAYS[key], today=today, key=key)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def weekly(self) -> bool:
        return self.days > DAILY_MAX_DAYS

    @property
    def start(self) -> datetime:
        """The first instant of the period (aware)."""
        return _midnight(self.first_day)

    @property
    def end(self) -> datetime:
        """The first instant after the period (aware, excluded)."""
        return _midnight(self.last_day + timedelta(days=1))

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(
            self.first_day - timedelta(days=self.days), self.first_day - timedelta(days=1)
        )

    def buckets(self) -> list[date]:
        """The days of the period, or the Mondays of its weeks when it is grouped by week."""
        if not self.weekly:
            return [self.first_day + timedelta(days=i) for i in range(self.days)]
        monday = self.first_day - timedelta(days=self.first_day.weekday())
        weeks = []
        while monday <= self.last_day:
            weeks.append(monday)
            monday += timedelta(days=7)
        return weeks

    def bucket_end(self, bucket: date) -> date:
        """The last day of a bucket, within the period."""
        if not self.weekly:
            return bucket
        return min(bucket + timedelta(days=6), self.last_day)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    """One day (or week): tickets created, closed, cancelled or rejected and reopened in it, and
    tickets open at its end."""

    bucket: date
    last_day: date
    created: int
    closed: int
    ended: int
    reopened: int
    backlog: int


@dataclass(frozen=True)
class CategoryRow:
    category_id: int
    root: str
    name: str
    is_root: bool
    count: int
    previous: int

    @property
    def growth(self) -> int:
        return self.count - self.previous


@dataclass
class CategoryGroup:
    """A top-level category and the tickets filed in it or in its sub-categories."""

    name: str
    count: int = 0
    rows: list[CategoryRow] = field(default_factory=list)


@dataclass(frozen=True)
class Durations:
    """Median and 90th percentile of a delay over `count` tickets (None when there are none)."""

    count: int
    median: timedelta | None
    p90: timedelta | None
    missing: int = 0


@dataclass(frozen=True)
class AgentRow:
    user_id: int | None
    name: str
    is_member: bool
    open: int
    closed: int


@dataclass(frozen=True)
class Growth:
    category_id: int
    name: str
    count: int
    previous: int

    @property
    def growth(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class Word:
    word: str
    tickets: int


@dataclass
class ServiceStats:
    service: Service
    period: Period
    timeline: list[TimelineRow]
    backlog_start: int
    categories: list[CategoryGroup]
    growing: list[Growth]
    first_response: Durations
    resolution: Durations
    closure_requested: int
    closure_refused: int
    closed_tickets: int
    reopened_tickets: int
    automatic_closures: int
    workload: list[AgentRow]
    heat: list[list[int]]
    words: list[Word]
    computed_at: datetime = field(default_factory=timezone.now)

    @property
    def created(self) -> int:
        return sum(row.created for row in self.timeline)

    @property
    def closed(self) -> int:
        return sum(row.closed for row in self.timeline)

    @property
    def ended(self) -> int:
        return sum(row.ended for row in self.timeline)

    @property
    def reopened(self) -> int:
        return sum(row.reopened for row in self.timeline)

    @property
    def backlog_end(self) -> int:
        return self.timeline[-1].backlog if self.timeline else self.backlog_start

    @property
    def open_now(self) -> int:
        return sum(row.open for row in self.workload)

    @property
    def refusal_rate(self) -> float | None:
        """Share of the tickets whose closure was requested that saw a refusal, in percent."""
        return _percent(self.closure_refused, self.closure_requested)

    @property
    def reopen_rate(self) -> float | None:
        """Reopened tickets per closed ticket in the period, in percent."""
        return _percent(self.reopened_tickets, self.closed_tickets)

    @property
    def automatic_share(self) -> float | None:
        """Share of the closures made automatically (no answer from the requester), in percent."""
        return _percent(self.automatic_closures, self.closed)

    @property
    def heat_max(self) -> int:
        return max((max(row) for row in self.heat), default=0)


_CACHE_SHAPE = zlib.crc32(",".join(f.name for f in fields(ServiceStats)).encode())


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- Who sees what ---------------------------------------------------------------------------


def services_for(user: Any) -> QuerySet[Service]:
    """The services whose statistics the person may read: their own, or all for a superuser."""
    if not user.is_authenticated or not user.is_active:
        return Service.objects.none()
    if user.is_superuser:
        return Service.objects.all()
    return Service.objects.filter(pk__in=permissions.agent_service_ids(user))


# --- The statistics --------------------------------------------------------------------------


def service_stats(service: Service, period: Period) -> ServiceStats:
    """Every figure of the statistics page for one service and period (eleven queries)."""
    tickets = Ticket.objects.filter(service=service).order_by()
    in_period = Q(created_at__gte=period.start, created_at__lt=period.end)
    events = events_since(service, period.start)

    backlog_start = _backlog_at(tickets, events, period.start)
    timeline = _timeline(tickets.filter(in_period), events.filter(in_period), period, backlog_start)
    rates = events.filter(in_period).aggregate(
        closure_requested=Count("ticket", distinct=True, filter=Q(action=Move.REQUEST_CLOSURE)),
        closure_refused=Count("ticket", distinct=True, filter=Q(action=Move.REFUSE_CLOSURE)),
        closed_tickets=Count("ticket", distinct=True, filter=Q(action__in=CLOSING_ACTIONS)),
        reopened_tickets=Count("ticket", distinct=True, filter=Q(action__in=REOPENING_ACTIONS)),
        automatic_closures=Count("pk", filter=Q(action=Move.EXPIRE_CLOSURE)),
    )
    categories, growing = _categories(tickets, period)
    first_response, resolution = _durations(tickets, period)
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
        words=frequent_words(service, period),
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


def _timeline(
    tickets: QuerySet[Ticket], events: QuerySet[TicketEvent], period: Period, backlog: int
) -> list[TimelineRow]:
    created = {
        _as_date(row["bucket"]): row["n"]
        for row in tickets.annotate(bucket=_bucket(period, "created_at"))
        .values("bucket")
        .annotate(n=Count("pk"))
    }
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


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the value at a fraction, interpolated between neighbours."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


def _durations(tickets: QuerySet[Ticket], period: Period) -> tuple[Durations, Durations]:
    """Time to the first agent response (tickets created in the period) and to closure (tickets
    closed as solved in the period); one query."""
    created = Q(created_at__gte=period.start, created_at__lt=period.end)
    closed = Q(status=Ticket.Status.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end)
    answered = created & Q(first_response_at__isnull=False)
    if connection.vendor == "postgresql":
        response = ExpressionWrapper(
            F("first_response_at") - F("created_at"), output_field=DurationField()
        )
        resolution = ExpressionWrapper(
            F("closed_at") - F("created_at"), output_field=DurationField()
        )
        # The WHERE clause lets the (service, created_at) and (service, closed_at) indexes
        # pick the period's tickets; the filters then split them.
        figures = tickets.filter(created | closed).aggregate(
            answered=Count("pk", filter=answered),
            unanswered=Count("pk", filter=created & Q(first_response_at__isnull=True)),
            response_median=PercentileCont(response, 0.5, filter=answered),
            response_p90=PercentileCont(response, 0.9, filter=answered),
            closed=Count("pk", filter=closed),
            resolution_median=PercentileCont(resolution, 0.5, filter=closed),
            resolution_p90=PercentileCont(resolution, 0.9, filter=closed),
        )
        return (
            Durations(
                figures["answered"],
                figures["response_median"],
                figures["response_p90"],
                figures["unanswered"],
            ),
            Durations(figures["closed"], figures["resolution_median"], figures["resolution_p90"]),
        )
    responses: list[timedelta] = []
    resolutions: list[timedelta] = []
    unanswered = 0
    start, end = period.start, period.end
    rows = tickets.filter(created | closed).values_list(
        "created_at", "first_response_at", "closed_at", "status"
    )
    for created_at, first_response_at, closed_at, status in rows:
        if start <= created_at < end:
            if first_response_at is None:
                unanswered += 1
            else:
                responses.append(first_response_at - created_at)
        if status == Ticket.Status.CLOSED and closed_at and start <= closed_at < end:
            resolutions.append(closed_at - created_at)
    return (
        Durations(
            len(responses),
            numbers.percentile(responses, 0.5),
            numbers.percentile(responses, 0.9),
            unanswered,
        ),
        Durations(
            len(resolutions),
            numbers.percentile(resolutions, 0.5),
            numbers.percentile(resolutions, 0.9),
        ),
    )


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


# --- Recurring problems ----------------------------------------------------------------------


def words_of(text: str) -> list[str]:
    """The significant words of a text, lower-cased, in order (stopwords and short words out)."""
    words = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).replace("’", "'")
        # "l'imprimante" -> "imprimante"
        if "'" in word:
            word = word.rsplit("'", 1)[1]
        if len(word) >= MIN_WORD_LENGTH and word not in STOPWORDS:
            words.append(word)
    return words


_TS_STAT_SQL = """
WITH subjects AS (
    SELECT subject FROM {table}
    WHERE service_id = %(service)s AND created_at >= %(start)s AND created_at < %(end)s
),
lexemes AS MATERIALIZED (
    SELECT word, ndoc FROM ts_stat(format(
        'SELECT to_tsvector(''french'', subject) FROM {table}
         WHERE service_id = %%L AND created_at >= %%L AND created_at < %%L',
        %(service)s, %(start)s, %(end)s
    ))
    WHERE length(word) >= %(min_length)s AND word !~ '^[0-9]'
    ORDER BY ndoc DESC, word
    LIMIT %(limit)s
),
forms AS MATERIALIZED (
    SELECT (ts_lexize('french_stem', form))[1] AS lexeme, form, count(*) AS uses
    FROM subjects, regexp_split_to_table(lower(subject), %(separators)s) AS form
    WHERE form <> ''
    GROUP BY form
)
SELECT lexemes.word, lexemes.ndoc, (
    SELECT forms.form FROM forms WHERE forms.lexeme = lexemes.word
    ORDER BY forms.uses DESC, length(forms.form), forms.form LIMIT 1
) AS form
FROM lexemes
ORDER BY lexemes.ndoc DESC, lexemes.word
"""
# Word separators for showing a stem as the word people typed (ASCII punctuation, spaces,
# French quotes and apostrophes); letters with accents are never separators.
_SEPARATORS = r"[][\s!-/:-@\\^_`{-~«»’…]+"


def frequent_words(service: Service, period: Period, limit: int = TOP_WORDS) -> list[Word]:
    """The most frequent significant words of the subjects of the tickets created in the period,
    with the number of tickets using each; a word must appear in two tickets at least (one query).

    PostgreSQL counts French stems with ts_stat (so "imprimante" and "imprimantes" are one word,
    shown as the form people typed most); other databases count the words of the subjects,
    fetched in one query, minus a short French and English stopword list.
    """
    if connection.vendor == "postgresql":
        return _frequent_words_postgres(service, period, limit)
    subjects = (
        Ticket.objects.filter(
            service=service, created_at__gte=period.start, created_at__lt=period.end
        )
        .values_list("subject", flat=True)
        .order_by()
    )
    counter: Counter[str] = Counter()
    for subject in subjects:
        counter.update(set(words_of(subject)))
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [Word(word, count) for word, count in ranked[:limit] if count >= 2]


def _frequent_words_postgres(service: Service, period: Period, limit: int) -> list[Word]:
    sql = _TS_STAT_SQL.format(table=connection.ops.quote_name(Ticket._meta.db_table))
    params = {
        "service": service.pk,
        "start": period.start,
        "end": period.end,
        "min_length": MIN_WORD_LENGTH,
        "separators": _SEPARATORS,
        # Stopwords of our own list are dropped after the query: ask for a few more.
        "limit": limit + 10,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    words = [Word(form or lexeme, ndoc) for lexeme, ndoc, form in rows if ndoc >= 2]
    return [word for word in words if word.word not in STOPWORDS][:limit]


# --- Similar tickets -------------------------------------------------------------------------


SIMILAR_WINDOW = 1000


def similar_tickets(ticket: Ticket, user: Any, limit: int = 5) -> list[Ticket]:
    """Other tickets of the same service whose subject shares words with this one, the closest
    first, among the service's SIMILAR_WINDOW most recent tickets that the person may see (one
    query, plus the memberships if not yet read).

    PostgreSQL ranks them by French full-text search; other databases by the number of shared
    significant words (substring match).
    """
    words = list(dict.fromkeys(words_of(ticket.subject)))[:8]
    if not words:
        return []
    # Among the service's most recent tickets only: ranking every ticket of a service with years
    # of history would cost seconds, and the recent ones are those worth linking.
    recent = (
        Ticket.objects.filter(service_id=ticket.service_id)
        .order_by("-created_at")  # index (service_id, created_at), 0004
        .values("pk")[:SIMILAR_WINDOW]
    )
    candidates = (
        selectors.tickets_visible_to(user)
        .filter(service_id=ticket.service_id, pk__in=recent)
        .exclude(pk=ticket.pk)
        .select_related("category")
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        # websearch syntax never raises; "or" joins the words, so any one of them matches.
        query_text = " or ".join(w for w in words if w != "or")
        query = SearchQuery(query_text, config="french", search_type="websearch")
        # The stored search vector holds the subject's French stems: checking it first (no
        # parsing) leaves the subject to be parsed and ranked for the matching tickets alone,
        # not for the whole window (20 ms a page at 1,000 candidates, 11 with it).
        ranked = (
            candidates.filter(StoredVectorMatch(query_text))
            .annotate(document=SearchVector("subject", config="french"))
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", "-created_at", "-pk")
        )
        return list(ranked[:limit])
    match = Q()
    score: Any = Value(0)
    for word in words:
        match |= Q(subject__icontains=word)
        score = score + Case(
            When(subject__icontains=word, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ranked = (
        candidates.filter(match)
        .annotate(rank=Coalesce(score, 0))
        .order_by("-rank", "-created_at", "-pk")
    )
    return list(ranked[:limit])
