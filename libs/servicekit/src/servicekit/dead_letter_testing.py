"""Test support for the operator routes of :mod:`servicekit.dead_letters`, which every
consuming service mounts: the same checks of the same contract, from each service's tests.

``assert_retry_waits_for_the_fix(api, event_id, fix)``
    Retrying a dead letter whose bug is still there fails (and counts an attempt); after
    ``fix()`` it is resolved, and a third retry is refused as already resolved; unknown and
    malformed ids are refused.
``dead_letter_gauge(api)``
    The ``eventfeed_dead_letters`` line of the service's ``/metrics``.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

PROBLEM = "application/problem+json"


async def assert_retry_waits_for_the_fix(
    api: httpx.AsyncClient, event_id: str, fix: Callable[[], object]
) -> None:
    """``event_id`` is an open dead letter with one attempt; ``fix()`` removes its bug."""
    path = f"/v1/dead-letters/{event_id}"
    r = await api.post(f"{path}/retry")  # the bug is still there
    assert r.status_code == 200, r.text
    assert (r.json()["outcome"], r.json()["dead_letter"]["attempts"]) == ("failed", 2)
    assert r.json()["dead_letter"]["resolved_at"] is None

    fix()  # the fix is deployed
    r = await api.post(f"{path}/retry")
    assert (r.status_code, r.json()["outcome"]) == (200, "resolved"), r.text
    assert r.json()["dead_letter"]["resolved_at"] is not None
    again = await api.post(f"{path}/retry")
    assert (again.status_code, again.json()["rule"]) == (409, "dead-letter-resolved")
    assert again.headers["content-type"] == PROBLEM
    assert (await api.get(path)).json()["resolved_at"] is not None

    unknown = await api.post("/v1/dead-letters/00000000-0000-0000-0000-000000000000/retry")
    assert (unknown.status_code, unknown.json()["field"]) == (404, "event_id")
    assert (await api.get("/v1/dead-letters/not-a-uuid")).status_code == 422


async def dead_letter_gauge(api: httpx.AsyncClient) -> str:
    metrics = (await api.get("/metrics")).text
    [line] = [m for m in metrics.splitlines() if m.startswith("eventfeed_dead_letters{")]
    return line
