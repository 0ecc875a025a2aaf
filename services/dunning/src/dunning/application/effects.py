"""Delivering what decisions queued: notices by e-mail (or .eml files), fees to the ledger.

Runs after the deciding transaction committed (a worker in ``serve``, and at the end of
``dunning run``). A fee posts under its deterministic adjustment id, so a retry after a
crash is replayed by the ledger, never charged twice. A notice carries a Message-ID made
from its notice id, so a resend after a crash is recognisable as the same message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dunning.application.notices import render_notice
from dunning.application.ports import LedgerPort, Mailer, UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


@dataclass
class Delivered:
    notices: int = 0
    fees: int = 0
    failures: int = 0


@dataclass
class Effects:
    uow: UnitOfWorkFactory
    mailer: Mailer
    letters: Mailer  # for customers without an e-mail address: the outbox directory
    ledger: LedgerPort
    sender: str

    async def deliver(self) -> Delivered:
        done = Delivered()
        while await self._one_notice(done):
            pass
        while await self._one_fee(done):
            pass
        return done

    async def _one_notice(self, done: Delivered) -> bool:
        async with self.uow() as tx:
            row = await tx.queues.take_notice(MAX_ATTEMPTS)
            if row is None:
                return False
            message = render_notice(row, self.sender)
            mailer = self.mailer if row["recipient"] else self.letters
            try:
                via = await mailer.send(message)
            except Exception as e:
                log.warning("notice %s not sent: %s", row["notice_id"], e)
                await tx.queues.notice_done(row["notice_id"], via=None, error=str(e)[:2000])
                done.failures += 1
                return False
            await tx.queues.notice_done(row["notice_id"], via=via, error=None)
            done.notices += 1
            return True

    async def _one_fee(self, done: Delivered) -> bool:
        async with self.uow() as tx:
            row = await tx.queues.take_fee(MAX_ATTEMPTS)
            if row is None:
                return False
            body: dict[str, object] = {
                "adjustment_id": row["adjustment_id"],
                "amount": row["amount"],
                "reason": row["reason"],
                "effective_on": row["effective_on"].isoformat(),
            }
            try:
                status = await self.ledger.post_adjustment(row["account_id"], body)
            except Exception as e:
                log.warning("fee %s not posted: %s", row["adjustment_id"], e)
                await tx.queues.fee_done(
                    row["adjustment_id"], status="pending", error=str(e)[:2000]
                )
                done.failures += 1
                return False
            error = {
                "posted": None,
                "conflict": "the ledger holds a different adjustment under this id",
                "rejected": "the ledger rejected the adjustment (unknown account or invalid)",
            }[status]
            await tx.queues.fee_done(row["adjustment_id"], status=status, error=error)
            done.fees += 1
            return True
