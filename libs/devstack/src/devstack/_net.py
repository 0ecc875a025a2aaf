"""Small TCP helpers shared by the broker and the `run` supervisor."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free on `host` a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(
    host: str,
    port: int,
    *,
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.05,
) -> bool:
    """Wait until host:port accepts connections.

    Returns False as soon as `alive()` says the process that should listen has died, or when
    `timeout` seconds have passed; True once a connection succeeds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return True
        if not alive():
            return False
        time.sleep(interval)
    return port_open(host, port)


def wait_for_port_closed(host: str, port: int, *, timeout: float) -> bool:
    """Wait until nothing accepts connections on host:port any more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not port_open(host, port, timeout=0.2):
            return True
        time.sleep(0.05)
    return not port_open(host, port, timeout=0.2)
