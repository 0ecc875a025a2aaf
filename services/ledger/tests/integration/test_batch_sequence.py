"""A batch ends as its commands run one after another through the single routes: an
account whose commands all succeed alone ends in the same state (balance, version,
invoices) with the same answers; an account with a refused command is left as it was, the
refused command answered with its own error and the account's others not applied."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.bootstrap import Ledger
from ledger.domain import errors as err

from .conftest import open_account
from .test_group_commit import _calls, _state, fresh, step, submit


def _item(call: tuple[Any, ...]) -> dict[str, Any]:
    account_id, op, body, *params = call
    return {"op": op, "account_id": account_id, "body": body, **(params[0] if params else {})}


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(step, min_size=1, max_size=12))
async def test_a_batch_ends_as_its_commands_one_after_another(
    ledger: Ledger, client: httpx.AsyncClient, steps: list[tuple[str, int, int, int]]
) -> None:
    batched, alone = [fresh("b"), fresh("b")], [fresh("s"), fresh("s")]
    for a in batched + alone:
        await open_account(client, a)
    opened = {a: await _state(client, a) for a in batched}
    one_by_one: list[int | err.LedgerError] = []
    for account_id, op, body, *params in _calls(alone, steps):
        try:
            outcome = await submit(ledger.commands, account_id, op, body, **(params or [{}])[0])
            one_by_one.append(outcome.status_code)
        except err.LedgerError as e:
            one_by_one.append(e)
    r = await client.post("/v1/batches", json=[_item(c) for c in _calls(batched, steps)])
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    for k, (b, s) in enumerate(zip(batched, alone, strict=True)):
        mine = [n for n, (_, which, _, _) in enumerate(steps) if which == k]
        refused = [n for n in mine if not isinstance(one_by_one[n], int)]
        if not refused:
            assert [results[n]["status"] for n in mine] == [one_by_one[n] for n in mine]
            assert await _state(client, b) == await _state(client, s)
            continue
        first = refused[0]
        error = one_by_one[first]
        assert isinstance(error, err.LedgerError)
        assert results[first]["problem"]["rule"] == error.rule, results[first]
        assert [results[n]["status"] for n in mine if n != first] == [424] * (len(mine) - 1)
        assert await _state(client, b) == opened[b]
    report = (await client.get("/v1/audit/verify")).json()
    assert not [f for f in report["findings"] if f["stream_id"] in batched]
