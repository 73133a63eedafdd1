"""Helpers for tests (and the benchmark) that start processes and wait for them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Result], timeout: float, interval: float = 0.2) -> Result:
    """Polls `condition` until it returns something true or `timeout` seconds have passed, and
    returns its last answer (false when the time ran out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()
