"""Invariants of the account under random sequences of commands (hypothesis).

Each example opens an account in SGD, JPY or BHD and draws a sequence of commands that
refer to the invoices and payments already on it (amounts sometimes too large, ids
sometimes taken, dates sometimes backwards, so the rules are exercised too). Commands
``decide`` rejects are skipped. After every step:

(a) the postings of every event sum to zero, and so does the trial balance;
(b) the receivables postings of each item add up to its open amount, and the general
    ledger agrees with the account totals;
(c) totals.open / totals.unapplied are the sums over items / payments, and no open
    amount or unapplied amount is negative;
(d) nothing is paid beyond what was billed, and allocations agree from both sides;
(e) ``decide`` on the *partial* state the application loads (what ``needs(command)``
    asks for, and what the named items and payments are tied to by allocations) gives the
    same events, or the same rejection, as on the full state; and folding those events
    into the partial state keeps it equal to the full one where they overlap.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application.handler import needs
from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.decide import decide
from ledger.domain.money import exponent, to_decimal
from ledger.domain.postings import Chart, postings
from ledger.domain.state import Account, Item, Payment, evolve, fold

D0 = date(2026, 1, 1)
T = TypeVar("T")
RARE = 9  # a roll of 0..15 that picks the rare, usually rejected, variant of a command

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

KINDS = (
    ["invoice"] * 4
    + ["payment"] * 4
    + [
        "reverse",
        "credit_note",
        "credit_note",
        "adjustment",
        "adjustment",
        "write_off",
        "write_off",
        "recover",
        "recover",
        "refund",
        "apply",
        "apply",
        "dispute",
        "resolve",
    ]
)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


# -- drawing commands that refer to the account ----------------------------------------


class Draw:
    """Draws one command at a time for ``state``, with ``step`` as today's date."""

    def __init__(self, data: st.DataObject, state: Account, step: int) -> None:
        self.data = data
        self.state = state
        self.step = step
        self.currency = state.currency

    def pick(self, strategy: st.SearchStrategy[object]) -> object:
        return self.data.draw(strategy)

    def amount(self, up_to: int) -> Decimal:
        """Mostly a valid amount up to ``up_to`` minor units (a little over at times)."""
        upper = max(1, up_to)
        minor = self.data.draw(
            st.one_of(
                st.integers(min_value=1, max_value=upper),
                st.just(upper),
                st.integers(min_value=upper + 1, max_value=upper + 500),
            )
        )
        if self._rarely():
            # one digit finer than the currency allows: must be rejected
            return Decimal(minor * 10 + 7).scaleb(-(exponent(self.currency) + 1))
        return to_decimal(minor, self.currency)

    def on(self) -> date:
        return day(self.step - self.data.draw(st.integers(min_value=0, max_value=3)))

    def item_id(self, prefer: Callable[[Item], bool] = lambda i: i.open_amount > 0) -> str:
        """Mostly an item the command makes sense for, at times any item or an unknown."""
        return self._pick_id(self.state.items, prefer, "INV-404")

    def payment_id(self, prefer: Callable[[Payment], bool] = lambda p: not p.reversed) -> str:
        return self._pick_id(self.state.payments, prefer, "PAY-404")

    def _pick_id(self, rows: Mapping[str, T], prefer: Callable[[T], bool], unknown: str) -> str:
        ids = sorted(rows)
        preferred = [k for k in ids if prefer(rows[k])]
        roll = self.data.draw(st.integers(min_value=0, max_value=15))
        if not ids or roll == RARE:
            return unknown
        if preferred and roll < 12:
            return str(self.data.draw(st.sampled_from(preferred)))
        return str(self.data.draw(st.sampled_from(ids)))

    def new_id(self, prefix: str, taken: dict[str, object]) -> str:
        if taken and self._rarely():
            return str(self.data.draw(st.sampled_from(sorted(taken))))  # a duplicate
        return f"{prefix}-{self.step}"

    def command(self) -> cmd.Command:
        kind = self.data.draw(st.sampled_from(KINDS))
        method: Callable[[], cmd.Command] = getattr(self, kind)
        return method()

    # one method per kind of command

    def invoice(self) -> cmd.Command:
        issued = self.step + self.data.draw(st.integers(min_value=-5, max_value=5))
        due = issued + self.data.draw(st.integers(min_value=-1, max_value=60))
        n_lines = 0 if self._rarely() else self.data.draw(st.integers(min_value=1, max_value=3))
        return cmd.IssueInvoice(
            invoice_id=self.new_id("INV", self.state.items),  # type: ignore[arg-type]
            issue_date=day(issued),
            due_date=day(due),
            lines=tuple(
                cmd.LineSpec(description=f"line {n}", amount=self.amount(200_000))
                for n in range(n_lines)
            ),
        )

    def payment(self) -> cmd.Command:
        allocations: tuple[cmd.AllocationSpec, ...] | None = None
        if self.data.draw(st.booleans()):
            count = self.data.draw(st.integers(min_value=0, max_value=3))
            specs = []
            for _ in range(count):
                item_id = self.item_id()
                item = self.state.items.get(item_id)
                open_amount = item.open_amount if item is not None else 1000
                amount = None if self.data.draw(st.booleans()) else self.amount(open_amount)
                specs.append(cmd.AllocationSpec(invoice_id=item_id, amount=amount))
            allocations = tuple(specs)
        return cmd.ReceivePayment(
            payment_id=self.new_id("PAY", self.state.payments),  # type: ignore[arg-type]
            amount=self.amount(self.state.totals.open + 20_000),
            received_on=self.on(),
            method="bank-transfer",
            allocations=allocations,
        )

    def reverse(self) -> cmd.Command:
        return cmd.ReversePayment(
            payment_id=self.payment_id(), reason="bounced", reversed_on=self.on()
        )

    def _reducible(self, item_id: str) -> int:
        item = self.state.items.get(item_id)
        if item is None:
            return 1000
        return item.billed - (item.written_off - item.recovered)

    def credit_note(self) -> cmd.Command:
        item_id = self.item_id(lambda i: i.paid > 0)
        return cmd.IssueCreditNote(
            credit_note_id=f"CN-{self.step}",
            invoice_id=item_id,
            amount=self.amount(self._reducible(item_id)),
            reason="correction",
            issued_on=self.on(),
        )

    def adjustment(self) -> cmd.Command:
        if self.data.draw(st.integers(min_value=0, max_value=3)) == 3:
            return cmd.PostAdjustment(
                adjustment_id=self.new_id("DN", self.state.items),  # type: ignore[arg-type]
                amount=self.amount(50_000) * (-1 if self._rarely() else 1),
                reason="fee",
                effective_on=self.on(),
            )
        item_id = self.item_id()
        if self.data.draw(st.booleans()):
            amount = self.amount(50_000)
        else:
            amount = -self.amount(self._reducible(item_id))
        return cmd.PostAdjustment(
            adjustment_id=f"ADJ-{self.step}",
            invoice_id=item_id,
            amount=amount,
            reason="change",
            effective_on=self.on(),
        )

    def write_off(self) -> cmd.Command:
        item_id = self.item_id()
        item = self.state.items.get(item_id)
        amount = None
        if self.data.draw(st.booleans()):
            amount = self.amount(item.open_amount if item is not None else 1000)
        return cmd.WriteOffInvoice(
            write_off_id=f"WO-{self.step}",
            invoice_id=item_id,
            amount=amount,
            reason="uncollectable",
            written_off_on=self.on(),
        )

    def recover(self) -> cmd.Command:
        item_id = self.item_id(lambda i: i.written_off > i.recovered)
        item = self.state.items.get(item_id)
        recoverable = item.written_off - item.recovered if item is not None else 1000
        return cmd.RecoverWriteOff(
            recovery_id=f"REC-{self.step}",
            invoice_id=item_id,
            amount=self.amount(recoverable),
            reason="paid after all",
            recovered_on=self.on(),
        )

    def refund(self) -> cmd.Command:
        return cmd.IssueRefund(
            refund_id=f"REF-{self.step}",
            amount=self.amount(self.state.totals.unapplied),
            reason="asked",
            refunded_on=self.on(),
        )

    def apply(self) -> cmd.Command:
        item_id = self.item_id()
        item = self.state.items.get(item_id)
        up_to = min(item.open_amount, self.state.totals.unapplied) if item is not None else 1000
        return cmd.ApplyUnappliedCredit(
            invoice_id=item_id, amount=self.amount(up_to), applied_on=self.on()
        )

    def dispute(self) -> cmd.Command:
        return cmd.DisputeInvoice(
            invoice_id=self.item_id(lambda i: not i.disputed), reason="wrong", disputed_on=self.on()
        )

    def resolve(self) -> cmd.Command:
        return cmd.ResolveDispute(
            invoice_id=self.item_id(lambda i: i.disputed), resolution="ok", resolved_on=self.on()
        )

    def _rarely(self) -> bool:
        # a value in the middle: hypothesis favours the bounds, and shrinks towards 0
        return self.data.draw(st.integers(min_value=0, max_value=15)) == RARE


# -- the partial state the application loads ------------------------------------------


def loaded_state(full: Account, command: cmd.Command) -> Account:
    """The full state cut down to what the application loads for ``command``: what
    ``needs`` asks for, plus what the named items and payments are tied to by allocations
    (mirrors ``AsyncpgUnitOfWork.load_state``)."""
    n = needs(command)
    more_payments = {p for i in n.item_ids if i in full.items for p in full.items[i].allocations}
    more_items = {
        i for p in n.payment_ids if p in full.payments for i in full.payments[p].allocations
    }
    item_ids, payment_ids = n.item_ids | more_items, n.payment_ids | more_payments
    return dataclasses.replace(
        full,
        items={
            k: copy.deepcopy(v)
            for k, v in full.items.items()
            if (n.open_items and v.open_amount > 0) or k in item_ids
        },
        payments={
            k: copy.deepcopy(v)
            for k, v in full.payments.items()
            if (n.credit and v.unapplied > 0) or k in payment_ids
        },
        totals=copy.copy(full.totals),
    )


def touched(event: ev.Event) -> tuple[set[str], set[str]]:
    """Item ids and payment ids whose state an event changes."""
    items: set[str] = set()
    payments: set[str] = set()
    if isinstance(event, ev.AdjustmentPosted) and event.invoice_id is None:
        items.add(event.adjustment_id)
    elif isinstance(invoice_id := getattr(event, "invoice_id", None), str):
        items.add(invoice_id)
    if isinstance(payment_id := getattr(event, "payment_id", None), str):
        payments.add(payment_id)
    for part in (*getattr(event, "released", ()), *getattr(event, "sources", ())):
        payments.add(part.payment_id)
        if part.invoice_id is not None:
            items.add(part.invoice_id)
    return items, payments


# -- the invariants --------------------------------------------------------------------


def decide_or_error(command: cmd.Command, state: Account) -> list[ev.Event] | err.RuleViolation:
    try:
        return decide(command, state)
    except err.RuleViolation as e:
        return e


def same_outcome(
    a: list[ev.Event] | err.RuleViolation, b: list[ev.Event] | err.RuleViolation
) -> bool:
    if isinstance(a, err.RuleViolation) or isinstance(b, err.RuleViolation):
        return (type(a), getattr(a, "field", None), str(a)) == (
            type(b),
            getattr(b, "field", None),
            str(b),
        )
    return a == b


def check_invariants(
    state: Account, receivables: dict[str | None, int], balance: dict[Chart, int]
) -> None:
    items, payments, totals = state.items.values(), state.payments.values(), state.totals
    # (a)
    assert sum(balance.values()) == 0
    # (b)
    assert None not in receivables, "a receivables posting names no item"
    assert set(receivables) <= set(state.items)
    for item in items:
        assert receivables.get(item.item_id, 0) == item.open_amount, item.item_id
    assert balance[Chart.RECEIVABLES] == totals.open
    assert -balance[Chart.UNAPPLIED_CASH] == totals.unapplied
    assert balance[Chart.CASH_CLEARING] == totals.received - totals.reversed
    assert -balance[Chart.REFUNDS_PAYABLE] == totals.refunded
    assert balance[Chart.BAD_DEBT] == totals.written_off - totals.recovered
    # (c)
    assert totals.open - totals.unapplied == (
        totals.invoiced
        + totals.adjusted
        - totals.credited
        - totals.written_off
        + totals.recovered
        - totals.received
        + totals.reversed
        + totals.refunded
    ), "what is owed, net of credit, is what was billed less what was settled"
    assert totals.open == sum(i.open_amount for i in items)
    assert totals.unapplied == sum(p.unapplied for p in payments)
    assert all(i.open_amount >= 0 for i in items)
    assert all(p.unapplied >= 0 for p in payments)
    assert all(p.refunded <= p.amount for p in payments)
    # (d)
    for item in items:
        assert 0 <= item.paid <= item.billed, item
        assert item.written_off - item.recovered >= 0
        assert item.recovered <= item.written_off
        assert item.paid == sum(item.allocations.values())
        assert all(a > 0 for a in item.allocations.values())
        for payment_id, amount in item.allocations.items():
            assert state.payments[payment_id].allocations[item.item_id] == amount
        assert item.status == "open" if item.open_amount > 0 else item.status != "open"
    for payment in payments:
        assert all(a > 0 for a in payment.allocations.values())
        for item_id, amount in payment.allocations.items():
            assert state.items[item_id].allocations[payment.payment_id] == amount
        if payment.reversed:
            assert payment.allocations == {}


def open_event(currency: str) -> ev.AccountOpened:
    return ev.AccountOpened(
        account_id="ACC-P",
        name="Random Ltd",
        currency=currency,
        jurisdiction="SG",
        credit_limit=Decimal(0),
        payment_terms_days=30,
        opened_on=D0,
    )


@given(
    data=st.data(),
    currency=st.sampled_from(["SGD", "JPY", "BHD"]),
    steps=st.integers(min_value=1, max_value=30),
)
@PROPERTY
def test_random_command_sequences_keep_the_ledger_consistent(
    data: st.DataObject, currency: str, steps: int
) -> None:
    history: list[ev.Event] = [open_event(currency)]
    state = fold(list(history))
    receivables: dict[str | None, int] = defaultdict(int)
    balance: dict[Chart, int] = defaultdict(int)

    for step in range(1, steps + 1):
        command = Draw(data, state, step).command()

        before = copy.deepcopy(state)
        outcome = decide_or_error(command, state)
        assert state == before, "decide changed the state it was given"

        loaded = loaded_state(state, command)
        assert same_outcome(decide_or_error(command, loaded), outcome), (command, outcome)

        if isinstance(outcome, err.RuleViolation):
            continue
        assert outcome, "an accepted command records at least one event"
        for event in outcome:
            lines = postings(event)
            assert sum(p.amount for p in lines) == 0  # (a) per event
            for line in lines:
                balance[line.account] += line.amount
                if line.account is Chart.RECEIVABLES:
                    receivables[line.item_id] += line.amount
            # events survive their JSON form unchanged
            again = ev.EVENT_TYPES[event.event_type()].model_validate_json(event.model_dump_json())
            assert again == event
            state = evolve(state, event)
            loaded = evolve(loaded, event)
            # every row the event changes is in the state the application loaded
            item_ids, payment_ids = touched(event)
            assert item_ids <= set(loaded.items), (event, item_ids)
            assert payment_ids <= set(loaded.payments), (event, payment_ids)
        history += outcome

        # (e) partial states, folded forward, still agree with the full one
        for part in (loaded,):
            assert part.totals == state.totals
            assert part.version == state.version
            for item_id, item in part.items.items():
                assert item == state.items[item_id], item_id
            for payment_id, payment in part.payments.items():
                assert payment == state.payments[payment_id], payment_id

        check_invariants(state, receivables, balance)

    assert fold(list(history)) == state, "folding from scratch gives the same state"
