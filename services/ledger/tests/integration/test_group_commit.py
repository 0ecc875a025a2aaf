"""Group commit: single commands that arrive together share one transaction.

The groups here are made deterministic with one group in flight: the first command of a
``gather`` runs alone and every other one waits for it, so they form the next group.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger.adapters.http.app import create_app
from ledger.adapters.http.operations import OPERATIONS, whole_command
from ledger.adapters.postgres.group_store import AsyncpgGroupUnitOfWorkFactory
from ledger.application.group import GroupCommit
from ledger.application.handler import Outcome
from ledger.application.records import Metadata
from ledger.bootstrap import Ledger
from ledger.domain import errors as err
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

from .api_support import get
from .conftest import invoice, open_account

_ids = count(1)
TODAY = date(2026, 3, 1)

Result = Outcome | BaseException


def grouping(ledger: Ledger) -> GroupCommit:
    return GroupCommit(
        ledger.handler,
        AsyncpgGroupUnitOfWorkFactory(ledger.uow),
        ledger.clock,
        ledger.chain_key,
        in_flight=1,
    )


def _today(value: date | None) -> date:
    return value or TODAY


async def submit(
    commands: GroupCommit, account_id: str, op: str, body: dict[str, Any], **params: str
) -> Outcome:
    operation = OPERATIONS[op]
    prepared = operation.build(operation.body.model_validate(body), params, _today)
    assert prepared.command_id is not None
    return await commands.handle(
        account_id,
        prepared.command,
        command_id=prepared.command_id,
        payload=whole_command(params, prepared.payload),
        meta=Metadata(actor="group@test"),
        present=prepared.present,
    )


async def together(commands: GroupCommit, *calls: tuple[Any, ...]) -> list[Result]:
    """Run the calls at once: the first alone, the others as one group after it."""
    return list(
        await asyncio.gather(
            *(submit(commands, *c[:3], **(c[3] if len(c) > 3 else {})) for c in calls),
            return_exceptions=True,
        )
    )


def invoice_body(invoice_id: str, amount: str) -> dict[str, Any]:
    return {
        "invoice_id": invoice_id,
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": amount}],
    }


def payment_body(payment_id: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "amount": amount,
        "received_on": "2026-02-01",
        "method": "bank_transfer",
        **extra,
    }


def open_body(account_id: str) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "name": f"Customer {account_id}",
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "10000.00",
        "payment_terms_days": 30,
        "opened_on": "2026-01-01",
    }


async def transactions(client: httpx.AsyncClient, account_id: str) -> set[int]:
    history = await get(client, f"/v1/accounts/{account_id}/events", limit=1000)
    return {e["position"] >> 16 for e in history["events"]}


def fresh(prefix: str) -> str:
    return f"GC-{prefix}-{next(_ids)}"


@pytest.fixture
def commands(ledger: Ledger) -> GroupCommit:
    return grouping(ledger)


async def test_commands_on_many_accounts_and_one_account_share_a_commit(
    commands: GroupCommit, client: httpx.AsyncClient
) -> None:
    accounts = [fresh("many") for _ in range(8)]
    opened = await together(commands, *((a, "open_account", open_body(a)) for a in accounts))
    assert all(isinstance(r, Outcome) and r.status_code == 201 for r in opened), opened
    busy = accounts[0]
    calls: list[tuple[Any, ...]] = [(busy, "issue_invoice", invoice_body("WARM", "1.00"))]
    for a in accounts:
        calls += [(a, "issue_invoice", invoice_body(f"I-{k}", f"{k}0.00")) for k in (1, 2)]
    calls += [(busy, "issue_invoice", invoice_body(f"B-{k}", "5.00")) for k in range(5)]
    calls += [(a, "receive_payment", payment_body("P-1", "15.00")) for a in accounts]
    results = await together(commands, *calls)
    assert all(isinstance(r, Outcome) and r.status_code == 201 for r in results), results
    assert not any(r.replayed for r in results if isinstance(r, Outcome))

    # everything but the first command went in one transaction
    txs = [await transactions(client, a) for a in accounts]
    shared = set.intersection(*txs)
    assert len(shared) == 1
    for a in accounts:
        balance = await get(client, f"/v1/accounts/{a}/balance")
        expected = Decimal("15.00") + (Decimal("26.00") if a == busy else 0)
        assert Decimal(balance["balance"]) == expected, a
    history = await get(client, f"/v1/accounts/{busy}/events", limit=1000)
    versions = [e["version"] for e in history["events"]]
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) >= 10
    positions = [e["position"] for e in history["events"]]
    assert positions == sorted(positions)
    report = await get(client, "/v1/audit/verify")
    assert not [f for f in report["findings"] if f["stream_id"] in accounts]


async def test_a_refused_command_in_a_group_leaves_the_others_alone(
    commands: GroupCommit, client: httpx.AsyncClient
) -> None:
    a, b = fresh("refused"), fresh("refused")
    await open_account(client, a)
    await open_account(client, b)
    await invoice(client, a, "I-1", "100.00")
    results = await together(
        commands,
        (b, "issue_invoice", invoice_body("WARM", "1.00")),
        (a, "issue_invoice", invoice_body("I-2", "10.00")),
        # names an invoice the account does not have: refused
        (a, "receive_payment", payment_body("P-X", "5.00", allocations=[{"invoice_id": "NO"}])),
        (b, "issue_invoice", invoice_body("I-1", "20.00")),
        # the same invoice id again on account a: refused by the domain
        (a, "issue_invoice", invoice_body("I-1", "30.00")),
        (a, "receive_payment", payment_body("P-1", "40.00")),
    )
    ok = [r for r in results if isinstance(r, Outcome)]
    refused = [r for r in results if isinstance(r, err.LedgerError)]
    assert (len(ok), len(refused)) == (4, 2), results
    assert isinstance(results[2], err.LedgerError)
    assert isinstance(results[4], err.LedgerError)
    assert (await transactions(client, a)) & (await transactions(client, b))
    a_balance = await get(client, f"/v1/accounts/{a}/balance")
    assert Decimal(a_balance["balance"]) == Decimal("70.00")  # 100 + 10 - 40
    b_balance = await get(client, f"/v1/accounts/{b}/balance")
    assert Decimal(b_balance["balance"]) == Decimal("21.00")
    invoices = await get(client, f"/v1/accounts/{a}/invoices")
    assert sorted(i["invoice_id"] for i in invoices["invoices"]) == ["I-1", "I-2"]


async def test_a_command_crossing_the_total_limit_in_a_group_leaves_its_account_as_it_was(
    commands: GroupCommit, client: httpx.AsyncClient
) -> None:
    a, other = fresh("limit"), fresh("limit")
    await open_account(client, a, currency="BHD")
    await open_account(client, other)
    huge = "999999999999999.999"  # the largest amount; ten of them cross the largest total
    calls: list[tuple[Any, ...]] = [(other, "issue_invoice", invoice_body("WARM", "1.00"))]
    calls += [(a, "issue_invoice", invoice_body(f"H-{k}", huge)) for k in range(10)]
    calls += [(a, "issue_invoice", invoice_body("LAST", "0.009"))]  # up to the total exactly
    results = await together(commands, *calls)
    assert all(isinstance(r, Outcome) for r in results[:10]), results
    assert isinstance(results[10], err.AccountTotalLimit)
    assert isinstance(results[11], Outcome)
    account = await get(client, f"/v1/accounts/{a}")
    assert Decimal(account["summary"]["balance"]) == 9 * Decimal(huge) + Decimal("0.009")
    assert account["version"] == 11


async def test_replays_inside_a_group(commands: GroupCommit, client: httpx.AsyncClient) -> None:
    a = fresh("replay")
    await open_account(client, a)
    first = await submit(commands, a, "issue_invoice", invoice_body("I-0", "7.00"))
    results = await together(
        commands,
        (a, "issue_invoice", invoice_body("WARM", "1.00")),
        (a, "issue_invoice", invoice_body("I-0", "7.00")),  # made before: replayed
        (a, "issue_invoice", invoice_body("I-1", "10.00")),
        (a, "issue_invoice", invoice_body("I-1", "10.00")),  # made in this group: replayed
        (a, "issue_invoice", invoice_body("I-1", "11.00")),  # another payload: a conflict
    )
    assert isinstance(results[1], Outcome)
    assert results[1].replayed
    assert results[1].body == first.body
    made, again = results[2], results[3]
    assert isinstance(made, Outcome)
    assert not made.replayed
    assert isinstance(again, Outcome)
    assert again.replayed
    assert again.body == made.body
    assert isinstance(results[4], err.IdempotencyConflict)
    account = await get(client, f"/v1/accounts/{a}")
    assert Decimal(account["summary"]["balance"]) == Decimal("18.00")
    # and once committed, a retry alone replays the group's answer
    later = await submit(commands, a, "issue_invoice", invoice_body("I-1", "10.00"))
    assert later.replayed
    assert later.body == made.body


async def test_a_group_that_cannot_commit_runs_its_commands_alone(
    ledger: Ledger, client: httpx.AsyncClient
) -> None:
    class Failing(AsyncpgGroupUnitOfWorkFactory):
        def __call__(self) -> Any:
            raise ConnectionError("the database went away")

    commands = GroupCommit(
        ledger.handler, Failing(ledger.uow), ledger.clock, ledger.chain_key, in_flight=1
    )
    a, b = fresh("alone"), fresh("alone")
    results = await together(
        commands,
        (a, "open_account", open_body(a)),
        (b, "open_account", open_body(b)),
        (a, "open_account", open_body(a)),
    )
    assert all(isinstance(r, Outcome) for r in results), results
    assert [r.replayed for r in results if isinstance(r, Outcome)] == [False, False, True]
    assert (await get(client, f"/v1/accounts/{b}"))["version"] == 1


class Recorder:
    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.reasons: list[str] = []

    def group(self, size: int) -> None:
        self.sizes.append(size)

    def alone(self, reason: str) -> None:
        self.reasons.append(reason)

    def refused(self, reason: str) -> None:
        self.reasons.append(f"refused: {reason}")


@asynccontextmanager
async def holding(ledger: Ledger, account_id: str) -> AsyncIterator[None]:
    """Another transaction holds the account's stream (as a batch or an approval does)."""
    pool = await ledger.uow.pool()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE", account_id)
        yield


async def test_a_held_stream_holds_up_only_its_own_commands(
    ledger: Ledger, commands: GroupCommit, client: httpx.AsyncClient
) -> None:
    held, free, other = fresh("held"), fresh("held"), fresh("held")
    for a in (held, free, other):
        await open_account(client, a)
    async with holding(ledger, held):
        # the first runs alone (the group in flight), the next three form one group
        waiting = asyncio.gather(
            submit(commands, other, "issue_invoice", invoice_body("WARM", "1.00")),
            submit(commands, held, "issue_invoice", invoice_body("I-1", "10.00")),
            submit(commands, free, "issue_invoice", invoice_body("I-1", "20.00")),
            submit(commands, other, "issue_invoice", invoice_body("I-1", "30.00")),
        )
        await wait_for_account(client, free, version=2)
        await wait_for_account(client, other, version=3)
        assert (await get(client, f"/v1/accounts/{held}"))["version"] == 1
    results = await waiting
    assert [r.status_code for r in results] == [201] * 4
    assert (await get(client, f"/v1/accounts/{held}"))["version"] == 2


async def test_a_group_of_one_on_a_held_stream_lets_the_queue_move_on(
    ledger: Ledger, client: httpx.AsyncClient
) -> None:
    commands = GroupCommit(
        ledger.handler,
        AsyncpgGroupUnitOfWorkFactory(ledger.uow),
        ledger.clock,
        ledger.chain_key,
        in_flight=1,
        hold=3600,  # never: the group of one does not wait for its stream in flight
    )
    commands.watch = seen = Recorder()
    held, free = fresh("hold"), fresh("hold")
    await open_account(client, held)
    await open_account(client, free)
    async with holding(ledger, held):
        alone = asyncio.ensure_future(
            submit(commands, held, "issue_invoice", invoice_body("I-1", "10.00"))
        )
        await asyncio.sleep(0.2)  # found its stream held: waits for it alone
        after = await asyncio.wait_for(
            submit(commands, free, "issue_invoice", invoice_body("I-1", "20.00")), 30
        )
        assert after.status_code == 201
        assert not alone.done()
    assert (await alone).status_code == 201
    assert seen.reasons == ["busy"]
    assert (await get(client, f"/v1/accounts/{held}"))["version"] == 2


async def wait_for_account(client: httpx.AsyncClient, account_id: str, *, version: int) -> None:
    for _ in range(600):
        if (await get(client, f"/v1/accounts/{account_id}"))["version"] >= version:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{account_id} never reached version {version}")


async def test_a_commit_whose_outcome_is_lost_answers_what_committed(
    ledger: Ledger, client: httpx.AsyncClient
) -> None:
    class LostAtCommit(AsyncpgGroupUnitOfWorkFactory):
        """The COMMIT goes through, but its answer never reaches the service."""

        @asynccontextmanager
        async def __call__(self) -> AsyncIterator[Any]:
            async with super().__call__() as uow:
                yield uow
            raise ConnectionError("connection lost during COMMIT")

    commands = GroupCommit(
        ledger.handler, LostAtCommit(ledger.uow), ledger.clock, ledger.chain_key, in_flight=1
    )
    a, b = fresh("lost"), fresh("lost")
    await open_account(client, a)
    results = await together(
        commands,
        (a, "issue_invoice", invoice_body("WARM", "1.00")),
        (a, "issue_invoice", invoice_body("I-1", "10.00")),
        (a, "receive_payment", payment_body("P-1", "4.00")),
        (b, "open_account", open_body(b)),
        (b, "issue_invoice", invoice_body("I-1", "3.00")),
        (a, "issue_invoice", invoice_body("I-1", "10.00")),
    )
    assert all(isinstance(r, Outcome) and r.status_code == 201 for r in results), results
    # each answers the body that committed, once: the group's commands find their records
    # alone, and answer them as the original (these events are this very request's)
    history = await get(client, f"/v1/accounts/{a}/events", limit=1000)
    by_position = {e["position"]: e for e in history["events"]}
    for r in results[1:5]:
        assert isinstance(r, Outcome)
        assert not r.replayed
    for r in results[1:3]:
        assert isinstance(r, Outcome)
        assert {e["position"] for e in r.body["events"]} <= set(by_position)
    # the second I-1 of the group was a replay within it, and still is
    again = results[5]
    assert isinstance(again, Outcome)
    assert again.replayed
    assert again.body == results[1].body  # type: ignore[union-attr]
    assert len(history["events"]) == 5  # opened, WARM, I-1, the payment and its allocation
    assert Decimal((await get(client, f"/v1/accounts/{a}/balance"))["balance"]) == 7
    assert (await get(client, f"/v1/accounts/{b}"))["version"] == 2


class _RolledBack(Exception):
    pass


async def test_a_lost_commit_that_did_not_go_through_replays_what_a_retry_wrote(
    ledger: Ledger, client: httpx.AsyncClient
) -> None:
    """The group's transaction rolled back, then a client's retry of one of its commands
    made it: run alone, the group's command finds the retry's record, not its own, and
    answers it as a replay."""
    a, b = fresh("retried"), fresh("retried")
    await open_account(client, a)
    await open_account(client, b)
    retried: list[Outcome] = []

    class LostAndRetried(AsyncpgGroupUnitOfWorkFactory):
        @asynccontextmanager
        async def __call__(self) -> AsyncIterator[Any]:
            try:
                async with super().__call__() as uow:
                    yield uow
                    raise _RolledBack  # nothing of the group commits
            except _RolledBack:
                pass
            retried.append(await submit(ledger.commands, a, "issue_invoice", body))
            raise ConnectionError("connection lost during COMMIT")

    body = invoice_body("I-1", "10.00")
    commands = GroupCommit(
        ledger.handler, LostAndRetried(ledger.uow), ledger.clock, ledger.chain_key, in_flight=1
    )
    results = await together(
        commands,
        (b, "issue_invoice", invoice_body("WARM", "1.00")),
        (a, "issue_invoice", body),
        (b, "issue_invoice", invoice_body("I-1", "3.00")),
    )
    assert all(isinstance(r, Outcome) and r.status_code == 201 for r in results), results
    [retry] = retried
    assert not retry.replayed
    mine = results[1]
    assert isinstance(mine, Outcome)
    assert mine.replayed
    assert mine.body == retry.body
    other = results[2]
    assert isinstance(other, Outcome)
    assert not other.replayed  # nothing had made it: made alone now
    assert (await get(client, f"/v1/accounts/{a}"))["version"] == 2
    assert (await get(client, f"/v1/accounts/{b}"))["version"] == 3


async def test_commands_on_one_account_wait_for_its_group_not_for_its_lock(
    ledger: Ledger, client: httpx.AsyncClient
) -> None:
    """With two groups in flight, a command whose account is in the other one waits in the
    queue for the next group: at the account's lock it would find it held and run alone."""
    commands = GroupCommit(
        ledger.handler, AsyncpgGroupUnitOfWorkFactory(ledger.uow), ledger.clock, ledger.chain_key
    )
    commands.watch = seen = Recorder()
    a = fresh("hot")
    await open_account(client, a)
    results = await asyncio.gather(
        *(submit(commands, a, "issue_invoice", invoice_body(f"I-{k}", "1.00")) for k in range(20))
    )
    assert {r.status_code for r in results} == {201}
    assert seen.sizes == [1, 19]
    assert seen.reasons == []
    assert (await get(client, f"/v1/accounts/{a}"))["version"] == 21


def _metric(text: str, name: str) -> float:
    [line] = [x for x in text.splitlines() if x.startswith(name + " ")]
    return float(line.split()[1])


async def test_group_sizes_are_a_metric(ledger: Ledger, identity: TestIdentity) -> None:
    """Groups show in /metrics: how many, and how many commands they held."""
    # an app of its own: the ledger's groups report to the metrics of the last app made
    transport = httpx.ASGITransport(app=create_app(ledger))
    headers = identity.headers(ADMIN, subject="admin@test")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://ledger", headers=headers
    ) as client:
        await _group_sizes_are_a_metric(client)


async def _group_sizes_are_a_metric(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    a = fresh("metric")
    await open_account(client, a)
    posts = [
        client.post(f"/v1/accounts/{a}/invoices", json=invoice_body(f"I-{k}", "1.00"))
        for k in range(24)
    ]
    assert {r.status_code for r in await asyncio.gather(*posts)} == {201}
    after = (await client.get("/metrics")).text
    groups, commands = (
        _metric(after, f"ledger_group_commit_commands_{s}")
        - _metric(before, f"ledger_group_commit_commands_{s}")
        for s in ("count", "sum")
    )
    assert commands == 25  # every command of the routes went through a group
    assert groups < commands  # some went together


# -- any mix of commands ends as it would one after another -------------------------------

KINDS = ("invoice", "pay", "pay_named", "reverse", "credit", "write_off", "refund", "apply")
KINDS += ("adjust", "huge")
HUGE = "999999999999999.999"  # the largest BHD amount: the tenth on an account is refused
# (kind, account 0 or 1, amount, the earlier step whose invoice or payment it names)
step = st.tuples(st.sampled_from(KINDS), st.integers(0, 1), st.integers(1, 500), st.integers(0, 11))


def _calls(accounts: list[str], steps: list[tuple[str, int, int, int]]) -> list[tuple[Any, ...]]:
    """Commands on the invoices and payments of earlier steps: refused when those are
    unknown, settled, or less is open than asked."""
    calls: list[tuple[Any, ...]] = []
    for n, (kind, which, amount, ref) in enumerate(steps):
        a, money, named = accounts[which], f"{amount}.00", f"I-{ref}"
        reason = {"reason": "generated"}
        if kind == "invoice":
            calls.append((a, "issue_invoice", invoice_body(f"I-{n}", money)))
        elif kind == "huge":  # refused past the account's total limit, after evolve
            calls.append((a, "issue_invoice", invoice_body(f"I-{n}", HUGE)))
        elif kind in ("pay", "pay_named"):
            named_it = {"allocations": [{"invoice_id": named}]} if kind == "pay_named" else {}
            calls.append((a, "receive_payment", payment_body(f"P-{n}", money, **named_it)))
        elif kind == "reverse":
            params = {"payment_id": f"P-{ref}"}
            calls.append((a, "reverse_payment", {**reason, "reversed_on": "2026-02-02"}, params))
        elif kind == "credit":
            body = {"credit_note_id": f"C-{n}", "invoice_id": named, "amount": money, **reason}
            calls.append((a, "issue_credit_note", {**body, "issued_on": "2026-02-01"}))
        elif kind == "write_off":
            body = {"write_off_id": f"W-{n}", "invoice_id": named, **reason}
            calls.append((a, "write_off", {**body, "written_off_on": "2026-02-03"}))
        elif kind == "refund":
            body = {"refund_id": f"R-{n}", "amount": money, **reason}
            calls.append((a, "refund", {**body, "refunded_on": "2026-02-04"}))
        elif kind == "apply":
            body = {"invoice_id": named, "amount": money, "application_id": f"A-{n}"}
            calls.append((a, "apply_credit", {**body, "applied_on": "2026-02-05"}))
        else:
            body = {"adjustment_id": f"J-{n}", "amount": money, "invoice_id": named, **reason}
            calls.append((a, "post_adjustment", {**body, "effective_on": "2026-02-01"}))
    return calls


async def _state(client: httpx.AsyncClient, account_id: str) -> dict[str, Any]:
    account = await get(client, f"/v1/accounts/{account_id}")
    invoices = await get(client, f"/v1/accounts/{account_id}/invoices")
    return {
        "summary": account["summary"],
        "version": account["version"],
        "invoices": sorted(
            (i["invoice_id"], i["open_amount"], i["status"]) for i in invoices["invoices"]
        ),
    }


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(step, min_size=1, max_size=12), near_limit=st.booleans())
@example(steps=[("invoice", 0, 5, 0), ("pay", 0, 5, 0), ("huge", 0, 1, 0)], near_limit=True)
async def test_a_group_ends_as_its_commands_one_after_another(
    ledger: Ledger,
    client: httpx.AsyncClient,
    steps: list[tuple[str, int, int, int]],
    near_limit: bool,
) -> None:
    commands = grouping(ledger)
    commands.watch = seen = Recorder()
    grouped, sequential = [fresh("g"), fresh("g")], [fresh("s"), fresh("s")]
    for a in grouped + sequential:
        await open_account(client, a, currency="BHD")
    if near_limit:  # account 0 at its totals' limit: every invoice there is refused
        for a in (grouped[0], sequential[0]):
            for k in range(9):
                await invoice(client, a, f"H-{k}", HUGE)
    warm = (grouped[0], "issue_invoice", invoice_body("WARM", "1.00"))
    in_group = await together(commands, warm, *_calls(grouped, steps))
    one_by_one: list[Result] = []
    for call in [(sequential[0], *warm[1:]), *_calls(sequential, steps)]:
        try:
            params = call[3] if len(call) > 3 else {}
            one_by_one.append(await submit(ledger.commands, *call[:3], **params))
        except err.LedgerError as e:
            one_by_one.append(e)
    assert [type(r) for r in in_group] == [type(r) for r in one_by_one]
    assert seen.reasons == []  # decided in the group, not alone after it failed
    for g, s in zip(grouped, sequential, strict=True):
        assert await _state(client, g) == await _state(client, s)
