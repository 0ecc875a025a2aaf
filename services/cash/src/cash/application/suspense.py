"""Unidentified receipts in the ledger's suspense until a person decides.

A receipt that waits for review is posted to the ledger at once, to a holding account per
currency (``SUSPENSE-SGD`` ...), where it is held in the chart's suspense account: the
bank's money is in the books the day it arrives. Matched by hand it moves to the customer
(the customer's payment first, then the clearance naming it, so a failure in between
leaves it in suspense, never lost); refunded, it leaves suspense as owed to the payer.
Every id is derived from the statement line, so retries replay.

Both legs of a move carry the receipt's value date: the customer's payment is received on
it (its aging and interest count from the day the customer paid), and each of them debits
cash clearing, so the clearance that credits it back must be dated the same day, or cash
clearing would count the money twice (and suspense hold it) from the value date until the
day it was identified. That day stays in the clearance's reason and in the ledger's
recorded time (an "as known at" trial balance still shows what the books said before).
A refund leaves suspense on the day it is decided: until then the money was nobody's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from cash.application.ports import Ledger, PostingRefused
from cash.domain.holding import holding_account
from cash.domain.money import decimal_string
from cash.domain.statement import StatementLine


def receipt(line: StatementLine) -> dict[str, Any]:
    """The ledger body holding ``line`` in suspense (its payment id is the line's)."""
    return {
        "payment_id": line.line_id,
        "amount": decimal_string(line.paid, line.currency),
        "received_on": line.value_date.isoformat(),
        "method": "bank_transfer",
        "reference": (line.end_to_end_id or line.entry_ref)[:500],
        "payer": line.payer_name[:500] or None,
    }


async def hold(
    ledger: Ledger, holding: Mapping[str, str], line: StatementLine, jurisdiction: str | None
) -> tuple[str | None, str]:
    """(the holding account the receipt is now held on, or None; a note saying so).
    ``jurisdiction``: the line's bank account's (:mod:`cash.domain.holding`)."""
    account = holding_account(holding, jurisdiction, line.currency)
    if account is None:
        return None, f"not in the ledger yet: no suspense account for {line.currency}"
    try:
        await ledger.suspend(account, receipt(line))
    except PostingRefused as e:
        return None, f"not held in suspense on {account}: {e}"
    return account, f"held in suspense on {account}"


def moved(
    holding: str, line_id: str, payment_id: str, on: date, decided_on: date
) -> dict[str, Any]:
    """What a planned customer payment (or a refund) clears from suspense, dated ``on``;
    ``decided_on``: the day the receipt was identified (or its refund decided)."""
    return {
        "account": holding,
        "payment_id": line_id,
        "clearance_id": f"{payment_id}-CLR",
        "cleared_on": on.isoformat(),
        "decided_on": decided_on.isoformat(),
    }


def clearance(
    line: StatementLine,
    source: Mapping[str, Any],
    *,
    amount: int,
    to_account: str | None,
    to_payment: str | None,
    reason: str,
) -> dict[str, Any]:
    """The ledger body clearing ``amount`` of the receipt ``source`` names."""
    return {
        "clearance_id": source["clearance_id"],
        "amount": decimal_string(amount, line.currency),
        "reason": reason,
        "cleared_on": source["cleared_on"],
        "to_account_id": to_account,
        "to_payment_id": to_payment,
    }
