"""Results kept in the cache, for pages that would otherwise compute the same thing again.

The cache is an optimisation, never a failure: when it cannot be read the result is computed,
when it cannot be written it is not kept. A page then costs its queries, and keeps working while
Redis is down (the fault tests stop it under load).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def kept(
    make_key: Callable[[], str],
    compute: Callable[[], T],
    seconds: int,
    *,
    usable: Callable[[object], bool] = lambda found: found is not None,
) -> T:
    """What `compute()` returned under the key `make_key()` names, kept `seconds` at most.

    The key is made inside the guard because it often reads the cache itself (a generation
    token); `usable` refuses what another version of the code may have kept under that key.
    """
    try:
        key = make_key()
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
        return compute()
    if usable(found):
        return found  # type: ignore[return-value]
    result = compute()
    with contextlib.suppress(Exception):  # same
        cache.set(key, result, seconds)
    return result
