"""The image tests build the production image and run its containers: a step of its own in CI
(`.ci/run`), never part of the full suite or a newcomer's `make test`.

They are collected always (a broken import shows) and run only when the `-m` expression names
`container`, e.g. `pytest tests/deploy -m container`; otherwise they are deselected, not skipped.
The object-storage tests (marker `s3`) are quick and run with the rest of the suite.
"""

from __future__ import annotations

import pytest

OPT_IN_MARKERS = ("container",)


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
