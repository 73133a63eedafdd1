"""Arithmetic shared by the statistics, the benchmark and the load tests."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

# Numbers or timedeltas: anything that sorts, subtracts and scales by a float.
Value = TypeVar("Value")


def percentile(values: Iterable[Value], fraction: float) -> Value | None:
    """The value `fraction` of the way through the sorted values, interpolated between the two
    nearest ones as PostgreSQL's percentile_cont does; None when there are no values."""
    ordered = sorted(values)  # type: ignore[type-var]
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)  # type: ignore[operator]
