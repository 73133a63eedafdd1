"""The period a statistics page covers: whole days in the site's time zone, grouped by day or by
week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

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
