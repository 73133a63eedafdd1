"""Helpers for tests (and the benchmark) that start processes and wait for them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` different free ports: each socket stays bound until all are chosen, or the kernel
    may hand the same port out twice (a web server and an SMTP sink on one port)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


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
