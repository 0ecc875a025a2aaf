"""Collection runs and the returns of their debits.

A run of a collection date, in steps that each survive an interruption:

1. ``selecting``: the run is recorded; the active mandates' accounts are asked of the
   ledger for their open items; the debits (:func:`cash.domain.collection.select`) are
   stored -- an invoice collected before is never stored again (the store refuses a
   second debit of an invoice too).
2. ``posting``: each planned debit is posted to the ledger as a payment of method
   ``direct_debit`` on the collection date, id = the debit's end-to-end id, reference =
   the run id, allocated to its invoice. A retry is a replay in the ledger. A refusal
   (the invoice was paid meanwhile, say) leaves the debit ``refused``, out of the file.
3. ``done``: the debit files of the collected debits are written and kept.

Running the same date again carries on where it stopped, or answers the finished run.

Posting at collection, not at settlement: the receivable is settled the day the bank
collects, as the creditor's bank credits a direct debit on its due date and the debtor's
bank may only send it back; a return (``returned``) reverses that payment in the ledger
with the bank's reason, the invoice is open again and dunning sees the reversal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cash.application.debit_ports import DebitFiles, DebitUnitOfWork, ItemRecord, RunRecord
from cash.application.ports import Clock, Ledger, PostingRefused
from cash.domain import returns
from cash.domain.collection import run_id as run_id_of
from cash.domain.collection import select
from cash.domain.errors import CollectionState, Conflict, NotFound
from cash.domain.matching import OpenItem
from cash.domain.money import decimal_string

METHOD = "direct_debit"
Progress = Callable[[str, int, int], None]  # (step, done, of)


@dataclass(frozen=True)
class RunOutcome:
    run: RunRecord
    replayed: bool


@dataclass
class Collections:
    uow: DebitUnitOfWork
    ledger: Ledger
    files: DebitFiles
    clock: Clock
    batch: int = 500

    async def run(
        self, collection_date: date, *, actor: str, progress: Progress | None = None
    ) -> RunOutcome:
        rid = run_id_of(collection_date)
        tell = progress or (lambda step, done, of: None)
        async with self.uow() as store:
            run = await store.run(rid)
            if run is None:
                run = RunRecord(rid, collection_date, "selecting", actor, self.clock.now(), None)
                await store.add_run(run)
        if run.status == "done":
            return RunOutcome(run, True)
        if run.status == "selecting":
            await self._select(rid, collection_date, tell)
        await self._post(rid, collection_date, tell)
        await self._write(rid, tell)
        async with self.uow() as store:
            done = await store.run(rid)
        assert done is not None
        return RunOutcome(done, False)

    async def _select(self, rid: str, on: date, tell: Progress) -> None:
        async with self.uow() as store:
            mandates = await store.mandates(jurisdictions=None, status="active", limit=10**9)
            collected = await store.collected([m.account_id for m in mandates])
        items: dict[str, list[OpenItem]] = {}
        for i, m in enumerate(mandates, 1):
            items[m.account_id] = await self.ledger.open_items(m.account_id)
            tell("selecting", i, len(mandates))
        debits = select(on, mandates, items, collected)
        self.files.check(debits)
        async with self.uow() as store:
            await store.add_items(rid, debits)
            await store.set_run(rid, "posting")

    async def _post(self, rid: str, on: date, tell: Progress) -> None:
        async with self.uow() as store:
            total = await store.count(rid)
            planned = await store.count(rid, "planned")
        done = total - planned
        while True:
            async with self.uow() as store:
                page = await store.items(rid, status="planned", limit=self.batch)
            if not page:
                return
            for item in page:
                status, note = await self._post_one(rid, on, item)
                async with self.uow() as store:
                    await store.set_item(item.debit.end_to_end_id, status, note)
                done += 1
                tell("posting", done, total)

    async def _post_one(self, rid: str, on: date, item: ItemRecord) -> tuple[str, str]:
        d = item.debit
        amount = decimal_string(d.amount, d.currency)
        body = {
            "payment_id": d.end_to_end_id,
            "amount": amount,
            "received_on": on.isoformat(),
            "method": METHOD,
            "reference": rid,
            "allocations": [{"invoice_id": d.invoice_id, "amount": amount}],
        }
        try:
            await self.ledger.post_payment(d.account_id, body)
        except PostingRefused as e:
            return "refused", f"the ledger refused the payment: {e}"
        return "collected", f"posted to the ledger as payment {d.end_to_end_id}"

    async def _write(self, rid: str, tell: Progress) -> None:
        async with self.uow() as store:
            run = await store.run(rid)
            assert run is not None
            items = await store.items(rid, status="collected", limit=10**9)
            for f in self.files.render(run, items):
                await store.add_file(rid, f)
            await store.set_run(rid, "done", self.clock.now())
        tell("writing", len(items), len(items))

    async def returned(
        self, end_to_end_id: str, code: str, returned_on: date
    ) -> tuple[ItemRecord, bool]:
        """The bank sent the debit back: its payment is reversed in the ledger with the
        bank's reason. Returns the debit and whether it had been returned before."""
        async with self.uow() as store:
            item = await store.item(end_to_end_id, lock=True)
            if item is None:
                raise NotFound(f"no direct debit {end_to_end_id}", field="end_to_end_id")
            if item.status == "returned":
                if (item.return_code, item.returned_on) != (code.upper(), returned_on):
                    raise Conflict(
                        f"direct debit {end_to_end_id} was returned on {item.returned_on} "
                        f"({item.return_code}), not on {returned_on} ({code.upper()})",
                        field="end_to_end_id",
                    )
                return item, True
            if item.status != "collected":
                raise CollectionState(
                    f"direct debit {end_to_end_id} is {item.status}: only a collected one "
                    "can be returned",
                    field="end_to_end_id",
                )
            d = item.debit
            reason = f"direct debit returned by the bank: {returns.describe(code)}"
            try:
                await self.ledger.reverse_payment(
                    d.account_id,
                    d.end_to_end_id,
                    {"reason": reason, "reversed_on": returned_on.isoformat()},
                )
            except PostingRefused as e:
                raise CollectionState(
                    f"the ledger refused to reverse {d.end_to_end_id}: {e}",
                    field="end_to_end_id",
                ) from None
            await store.set_item(
                end_to_end_id,
                "returned",
                reason,
                return_code=code.upper(),
                returned_on=returned_on,
            )
            after = await store.item(end_to_end_id)
        assert after is not None
        return after, False
