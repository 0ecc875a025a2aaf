"""Every operation of the ledger's OpenAPI document, fuzzed on a started server: no 5xx,
and status, content type and body as documented (``API_FUZZ_EXAMPLES`` per operation)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from schemathesis import Case

from ledger.adapters.http.app import create_app
from ledger.settings import Settings
from servicekit.apitest import check, fuzz_schema, fuzz_settings, serving
from servicekit.auth import ADMIN
from servicekit.types import unbounded_integers

from .conftest import IDENTITY

AS_ADMIN = IDENTITY.headers(ADMIN, subject="fuzzer")
APP = create_app()
schema = fuzz_schema(APP)


@pytest.fixture(scope="module")
def base_url(ledger_settings: Settings) -> Iterator[str]:
    with serving(lambda: create_app(settings=ledger_settings)) as url:
        yield url


@schema.parametrize()
@fuzz_settings()
def test_every_input_is_answered_as_documented_without_a_5xx(case: Case, base_url: str) -> None:
    if case.query and "wait" in case.query:
        case.query["wait"] = 0  # the feed's long-poll: its duration is not what is fuzzed
    check(case, base_url, headers=AS_ADMIN)  # past the auth edge: the inputs are fuzzed


def test_every_integer_input_has_bounds_postgresql_can_hold() -> None:
    assert unbounded_integers(APP.openapi()) == []
