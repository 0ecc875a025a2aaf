"""What a bank or partner file says: statement lines, and the ids derived from them.

Every format (camt.053/054, MT940, partner CSV) is read into the same
:class:`StatementLine`. Ids are derived, never drawn: a line's id comes from the bank
account and the bank's entry reference, so the same entry imported again (in the same file
or a later one) is the same line, and the ledger ids made from it (payments, write-offs)
are the same on every retry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Direction(StrEnum):
    CREDIT = "credit"  # money in: a receipt
    DEBIT = "debit"  # money out: a return, a charge


class Format(StrEnum):
    CAMT053 = "camt.053"
    CAMT054 = "camt.054"
    MT940 = "mt940"
    CSV = "csv"


@dataclass(frozen=True)
class StatementLine:
    """One entry (or one transaction of a batch entry) of a statement.

    ``line_no`` is the line of the file the entry starts on (for messages);
    ``entry_ref`` the bank's reference of the entry, unique per bank account;
    ``return_code`` an ISO 20022 return reason (``AC04``, ``MD06`` ...) on returned debits;
    ``original_ref`` the end-to-end id of the payment a return gives back;
    ``fee`` what a payment partner withheld from the entry (``amount`` is what arrived).
    """

    line_no: int
    bank_account: str
    entry_ref: str
    direction: Direction
    amount: int
    currency: str
    value_date: date
    booking_date: date | None = None
    payer_name: str = ""
    remittance: str = ""
    end_to_end_id: str = ""
    return_code: str = ""
    original_ref: str = ""
    fee: int = 0

    @property
    def line_id(self) -> str:
        return line_id(self.bank_account, self.entry_ref)

    @property
    def paid(self) -> int:
        """What the payer paid: what arrived and the fee a partner kept of it. The customer is
        credited with all of it; the fee is the company's cost (partner reconciliation)."""
        return self.amount + self.fee


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def line_id(bank_account: str, entry_ref: str) -> str:
    """``CASH-`` and 24 hex digits of the (account, reference) hash: a ledger-safe id."""
    return "CASH-" + _digest(bank_account, entry_ref)[:24].upper()


def file_id(raw: bytes) -> str:
    """The SHA-256 of the file's bytes: the same file is the same import."""
    return hashlib.sha256(raw).hexdigest()


def payment_id(line: str, part: int = 0) -> str:
    """The ledger payment id of a line (a split's further parts get ``-2``, ``-3`` ...)."""
    return line if part <= 1 else f"{line}-{part}"


def write_off_id(line: str, invoice_id: str) -> str:
    return f"{line}-WO-" + _digest(invoice_id)[:8].upper()


def reversal_ref(line: str) -> str:
    return f"{line}-RET"
