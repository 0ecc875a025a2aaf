"""Before settling, commission waits for its consumer; what it says when it cannot."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from commission.application.settlement import caught_up
from commission.domain.errors import ConsumerBehind
from eventfeed.consumer import ConsumerStatus

BEHIND = ConsumerStatus(
    name="commission",
    transport="http",
    state="stopped",
    ready=False,
    position=41,
    lag=7,
    processed=41,
    duplicates=0,
    dead_letters=0,
    gaps=0,
    last_error="HTTPStatusError: 502 Bad Gateway",
    seconds_since_progress=3.0,
)


class Stuck:
    def __init__(self, status: ConsumerStatus) -> None:
        self._status = status

    async def catch_up(self, *, max_seconds: float) -> bool:
        return False

    def status(self) -> ConsumerStatus:
        return self._status


async def test_a_consumer_behind_says_where_it_stands_and_to_try_again() -> None:
    with pytest.raises(ConsumerBehind, match=r"within 30 s .*position 41, 7 events behind.*502"):
        await caught_up(Stuck(BEHIND), 30)  # type: ignore[arg-type]


async def test_a_refused_credential_says_which_setting_to_give() -> None:
    refused: Any = replace(BEHIND, refused="HTTPStatusError: 401 Unauthorized")
    with pytest.raises(ConsumerBehind) as e:
        await caught_up(Stuck(refused), 30)  # type: ignore[arg-type]
    assert "refused the commission service's credential (HTTPStatusError: 401" in str(e.value)
    assert "COMMISSION_LEDGER_TOKEN" in str(e.value)
    assert "within 30 s" not in str(e.value)
