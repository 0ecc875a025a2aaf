"""Every operation of the ledger's OpenAPI document, fuzzed on a started server: no 5xx,
and status, content type and body as documented (``API_FUZZ_EXAMPLES`` per operation)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from schemathesis import Case

from ledger.adapters.http.app import create_app
from ledger.settings import Settings
from servicekit.apitest import fuzz_tests, serving
from servicekit.auth import ADMIN

from .conftest import IDENTITY

AS_ADMIN = IDENTITY.headers(ADMIN, subject="fuzzer")
APP = create_app()


@pytest.fixture(scope="module")
def base_url(ledger_settings: Settings) -> Iterator[str]:
    with serving(lambda: create_app(settings=ledger_settings)) as url:
        yield url


def no_long_poll(case: Case) -> None:
    if case.query and "wait" in case.query:
        case.query["wait"] = 0  # the feed's long-poll: its duration is not what is fuzzed


(
    test_every_input_is_answered_as_documented_without_a_5xx,
    test_every_integer_input_has_bounds_postgresql_can_hold,
) = fuzz_tests(APP, headers=AS_ADMIN, prepare=no_long_poll)
