"""helpdesk.numbers: the one percentile of the statistics, the benchmark and the load tests."""

from __future__ import annotations

from datetime import timedelta

from helpdesk import numbers


def test_percentile_interpolates_like_percentile_cont():
    """Between two values the percentile lies proportionally, as PostgreSQL computes it."""
    hours = [timedelta(hours=h) for h in (1, 2, 3, 4)]
    assert numbers.percentile(hours, 0.5) == timedelta(hours=2, minutes=30)
    assert numbers.percentile(hours, 0.9) == timedelta(hours=3, minutes=42)
    assert numbers.percentile([0.25, 0.1, 0.4], 0.5) == 0.25  # unsorted values are sorted first
    assert numbers.percentile([7.0], 0.99) == 7.0


def test_percentile_of_nothing_is_none():
    assert numbers.percentile([], 0.5) is None
