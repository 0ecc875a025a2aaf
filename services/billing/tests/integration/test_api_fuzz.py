"""Every operation of billing's OpenAPI document, fuzzed on a started server (with a started
ledger behind it): no 5xx, and status, content type and body as documented."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from billing.adapters.http.app import create_app
from billing.settings import Settings
from devstack.pytest_plugin import DatabaseFactory
from ledger.adapters.http.app import create_app as create_ledger_app
from ledger.testing import InProcessLedger
from servicekit.apitest import fuzz_tests, serving
from servicekit.auth import ADMIN

from .conftest import IDENTITY

AS_ADMIN = IDENTITY.headers(ADMIN, subject="fuzzer")
APP = create_app(settings=Settings())


@pytest.fixture(scope="module")
def base_url(
    make_database: DatabaseFactory, ledger: InProcessLedger, billing_template: str
) -> Iterator[str]:
    with serving(lambda: create_ledger_app(settings=ledger.settings)) as ledger_url:
        settings = Settings(
            database_url=make_database("fuzz_billing", template=billing_template),
            ledger_url=ledger_url,
            ledger_token=IDENTITY.token(ADMIN, subject="billing", audience="ledger"),
            **IDENTITY.settings(),
        )
        with serving(lambda: create_app(settings=settings, background=False)) as url:
            yield url


(
    test_every_input_is_answered_as_documented_without_a_5xx,
    test_every_integer_input_has_bounds_postgresql_can_hold,
) = fuzz_tests(APP, headers=AS_ADMIN)
