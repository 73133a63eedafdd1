"""What the statistics page shows: the figures of one service over a period, as plain values
(cached as such by `figures.cached_service_stats`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from categories.models import Service
from tickets.models import Ticket
from tickets.selectors.stats.periods import Period


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


@dataclass(frozen=True)
class OriginRow:
    """Tickets created in the period that reached the helpdesk one way (web, email, phone...)."""

    origin: str
    count: int
    share: float  # percent of the tickets created in the period

    @property
    def label(self) -> str:
        # Read when shown, in the reader's language: the figures are cached for every reader.
        labels = dict(Ticket.Origin.choices)
        return str(labels.get(self.origin, self.origin))


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
    origins: list[OriginRow] = field(default_factory=list)
    # Time spent postponed by the tickets closed in the period (left out of `resolution`).
    postponed: Durations = field(default_factory=lambda: Durations(0, None, None))
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


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
