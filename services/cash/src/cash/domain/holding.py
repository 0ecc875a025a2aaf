"""Which ledger holding account an unidentified receipt is held on in suspense.

Per currency (``{"SGD": "SUSPENSE-SGD"}``), and per currency of one jurisdiction's bank
accounts (``{"HK/SGD": "SUSPENSE-HK-SGD"}``): a receipt waits in the books of the entity
whose bank account it reached, so each entity holding a currency's receipts names its own
holding account. The jurisdiction's own entry wins over the currency's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

KEY = re.compile(r"((?P<jurisdiction>[A-Z]{2,8})/)?(?P<currency>[A-Z]{3})")


def check(accounts: Mapping[str, str]) -> None:
    """Refuse (``ValueError``) a key that is neither ``SGD`` nor ``HK/SGD``, or no account."""
    for key, account in accounts.items():
        if not KEY.fullmatch(key):
            raise ValueError(
                f"{key!r} is neither a currency (SGD) nor one of a jurisdiction (HK/SGD)"
            )
        if not account.strip():
            raise ValueError(f"{key}: no holding account")


def holding_account(
    accounts: Mapping[str, str], jurisdiction: str | None, currency: str
) -> str | None:
    """The account a receipt of ``currency`` on a bank account of ``jurisdiction`` is held
    on; None: none is configured (the receipt waits outside the ledger)."""
    if jurisdiction is not None and f"{jurisdiction}/{currency}" in accounts:
        return accounts[f"{jurisdiction}/{currency}"]
    return accounts.get(currency)
