"""The load and fault tests start the whole production stack and, for the faults, restart the
machine's PostgreSQL: they run in a step of their own, never as part of the full suite.

They are collected always (so a broken import shows), and run only when the `-m` expression names
their marker, e.g. `pytest tests/reliability -m "load or faults"`; otherwise they are deselected
(not skipped: a skip under CI would read as a missing service).
"""

from __future__ import annotations

import pytest

OPT_IN_MARKERS = ("load", "faults")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expression = config.getoption("markexpr", "") or ""
    kept, deselected = [], []
    for item in items:
        opted_out = any(
            item.get_closest_marker(marker) and marker not in expression
            for marker in OPT_IN_MARKERS
        )
        (deselected if opted_out else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
