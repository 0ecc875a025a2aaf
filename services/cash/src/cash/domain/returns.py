"""ISO 20022 return reason codes (ExternalReturnReason1Code) a bank sends back with a
returned direct debit or transfer, in words for the ledger's reversal reason."""

from __future__ import annotations

REASONS = {
    "AC01": "incorrect account number",
    "AC04": "account closed",
    "AC06": "account blocked",
    "AG01": "transaction forbidden on this account",
    "AG02": "invalid bank operation code",
    "AM04": "insufficient funds",
    "AM05": "duplicate collection",
    "BE05": "unrecognised initiating party",
    "FF01": "invalid file format",
    "MD01": "no mandate",
    "MD02": "missing mandate information",
    "MD06": "refund requested by the debtor",
    "MD07": "debtor deceased",
    "MS02": "refused by the debtor",
    "MS03": "reason not specified",
    "RC01": "bank identifier incorrect",
    "RR01": "missing debtor account or identification",
    "RR04": "regulatory reason",
    "SL01": "specific service offered by the debtor's bank",
}


def describe(code: str) -> str:
    """``"AM04"`` -> ``"AM04 insufficient funds"``; an unknown code stays as it is."""
    words = REASONS.get(code.upper())
    return f"{code.upper()} {words}" if words else code.upper() or "no reason code"
