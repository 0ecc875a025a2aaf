"""Fuzzing a service's HTTP API from its own OpenAPI document (schemathesis, pytest).

A service adds one small test file::

    @pytest.fixture(scope="module")
    def base_url(settings) -> Iterator[str]:
        with serving(lambda: create_app(settings=settings)) as url:
            yield url

    (
        test_every_input_is_answered_as_documented_without_a_5xx,
        test_every_integer_input_has_bounds_postgresql_can_hold,
    ) = fuzz_tests(create_app(), headers=AS_ADMIN)

:func:`fuzz_tests` makes the two tests (the module binds them to names pytest collects):
every operation fuzzed against ``base_url``, and every integer input bounded as PostgreSQL
can hold.
:func:`serving` starts the app on a real uvicorn server (servicekit's protocol, its own
thread and event loop, so the app's database pool lives there too); :func:`check` sends
one generated request and asserts no 5xx and that status code, content type and body
are the ones the document declares.

The number of examples per operation is ``API_FUZZ_EXAMPLES`` (default 10: a few minutes
for all services on two cores); set it higher for a longer run by hand.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from servicekit.edge import Limits
from servicekit.server import HeadLimitedProtocol
from servicekit.types import unbounded_integers

DEFAULT_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def examples() -> int:
    return int(os.environ.get("API_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def fuzz_settings() -> Callable[[Any], Any]:
    """Hypothesis settings of a fuzz test: ``API_FUZZ_EXAMPLES`` examples, no deadline;
    bodies in media types schemathesis cannot generate (NDJSON) are left out quietly."""
    hypothesis = settings(
        max_examples=examples(),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    quiet = pytest.mark.filterwarnings("ignore:Skipped test cases with unsupported payload")

    def apply(test: Any) -> Any:
        return quiet(hypothesis(test))

    return apply


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(make_app: Callable[[], Any], limits: Limits | None = None) -> Iterator[str]:
    """Run ``make_app()`` on uvicorn in a thread of its own; yield its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        make_app,
        factory=True,
        port=port,
        http=HeadLimitedProtocol,
        h11_max_incomplete_event_size=(limits or Limits()).max_header_bytes,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        for _ in range(3000):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise RuntimeError("the app did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def fuzz_schema(app: Any) -> BaseSchema:
    """The schema of a FastAPI app, to generate requests from (built without serving)."""
    return schemathesis.openapi.from_dict(app.openapi())


def check(case: Case[Any], base_url: str, **kwargs: Any) -> None:
    """Send the generated request; no 5xx, and the answer is the one documented."""
    case.call_and_validate(base_url=base_url, checks=CHECKS, **kwargs)


def fuzz_tests(
    app: Any,
    *,
    headers: Mapping[str, str] | None = None,
    prepare: Callable[[Case[Any]], None] | None = None,
) -> tuple[Callable[..., None], Callable[[], None]]:
    """The fuzz test of ``app``'s operations (each generated request sent with ``headers``,
    past the auth edge, after ``prepare(case)``: the inputs are fuzzed, not the credential)
    and the bounds test of its integer inputs; the test module provides ``base_url``."""
    schema = fuzz_schema(app)

    @schema.parametrize()
    @fuzz_settings()
    def test_every_input_is_answered_as_documented_without_a_5xx(
        case: Case[Any], base_url: str
    ) -> None:
        if prepare is not None:
            prepare(case)
        check(case, base_url, headers=dict(headers or {}))

    def test_every_integer_input_has_bounds_postgresql_can_hold() -> None:
        assert unbounded_integers(app.openapi()) == []

    return (
        test_every_input_is_answered_as_documented_without_a_5xx,
        test_every_integer_input_has_bounds_postgresql_can_hold,
    )
