"""The payout file: what to pay to each broker's bank account for a settled period.

One row per payable, unpaid statement with the broker's approved bank details (a broker
whose details no second user has approved yet is left out until they are); the statement id
is the payment reference, so the bank's report can be matched back.
"""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "statement_id",
    "broker_id",
    "broker_name",
    "account_holder",
    "country",
    "iban",
    "bic",
    "account_number",
    "bank_code",
    "branch_code",
    "currency",
    "amount",
    "reference",
)


def payout_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if row.get(k) is None else row[k]) for k in COLUMNS})
    return out.getvalue()
