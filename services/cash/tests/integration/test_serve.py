"""``cash serve``: the started server holds request heads to CASH_MAX_HEADER_BYTES.

Plain uvicorn (httptools) reads a header that never ends without limit; the server
``serve`` starts counts the head while parsing and answers 431 past the configured size.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from devstack.pytest_plugin import DatabaseFactory

LIMIT = 4096


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(make_database: DatabaseFactory, cash_template: str) -> Iterator[int]:
    """``cash serve`` in a process of its own (no consumer); its port once it answers."""
    port = _free_port()
    env = {
        **os.environ,
        "CASH_DATABASE_URL": make_database("cash", template=cash_template),
        "CASH_CONSUME": "false",
        "CASH_MAX_HEADER_BYTES": str(LIMIT),
        "CASH_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cash.cli", "serve", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts a process slowly
        while True:
            assert process.poll() is None, "cash serve exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "cash serve did not start listening"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_header_that_never_ends_is_cut_off_with_a_431(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=30) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * (3 * LIMIT))
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"431", answer[:300]
    problem = json.loads(body)
    assert problem["rule"] == "headers-too-large"
    assert str(LIMIT) in problem["detail"]
