"""The files a collection run hands to the banks: a SEPA pain.008 for EUR debits and a CSV
per payment partner for the others.

pain.008.001.02 is written with ``sepaxml`` (one payment information block, sequence type
``RCUR``, which the SEPA rulebook accepts for a first collection too) and validated
against its XSD before it is kept; the message id is the run id. A partner's CSV has one
row per debit with the columns in :data:`CSV_COLUMNS`.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime, time

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD

from cash.application.debit_ports import DebitFile, ItemRecord, RunRecord
from cash.domain.collection import Debit
from cash.domain.errors import InvalidMandate
from cash.domain.money import decimal_string

SCHEMA = "pain.008.001.02"
SEQUENCE = "RCUR"
CSV_COLUMNS = (
    "end_to_end_id",
    "mandate_id",
    "mandate_signed_on",
    "account_id",
    "invoice_id",
    "debtor_name",
    "bank_account",
    "iban",
    "bic",
    "amount",
    "currency",
    "collection_date",
    "reference",
)
_CREDITOR_ID = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Za-z0-9]{1,28}")


def creditor(config: Mapping[str, str]) -> dict[str, str]:
    """The SEPA creditor (``name``, ``iban``, ``bic``, ``creditor_id``), checked; empty
    when none is configured (EUR mandates cannot then be collected)."""
    if not config:
        return {}
    missing = [k for k in ("name", "iban", "bic", "creditor_id") if not config.get(k)]
    if missing:
        raise ValueError(f"the SEPA creditor needs {', '.join(missing)}")
    try:
        iban, bic = IBAN(config["iban"]).compact, BIC(config["bic"]).compact
    except SchwiftyException as e:
        raise ValueError(f"the SEPA creditor's bank details: {e}") from None
    if not _CREDITOR_ID.fullmatch(config["creditor_id"]):
        raise ValueError(f"{config['creditor_id']!r} is not a SEPA creditor identifier")
    return {
        "name": config["name"][:70],
        "iban": str(iban),
        "bic": str(bic),
        "creditor_id": config["creditor_id"],
    }


class DebitFileWriter:
    """:class:`~cash.application.debit_ports.DebitFiles` for SEPA and partner CSVs."""

    def __init__(self, sepa_creditor: Mapping[str, str]) -> None:
        self.creditor = creditor(sepa_creditor)

    def check(self, debits: Sequence[Debit]) -> None:
        if not self.creditor and any(d.scheme == "sepa_core" for d in debits):
            raise InvalidMandate(
                "EUR mandates are due but no SEPA creditor is configured "
                "(CASH_SEPA_CREDITOR); nothing was collected",
                field="collection_date",
            )

    def render(self, run: RunRecord, items: Sequence[ItemRecord]) -> list[DebitFile]:
        sepa = [i.debit for i in items if i.debit.scheme == "sepa_core"]
        partners: dict[str, list[Debit]] = {}
        for i in items:
            if i.debit.scheme == "partner":
                partners.setdefault(i.debit.details.partner or "", []).append(i.debit)
        files = [self.pain008(run, sepa)] if sepa else []
        for partner, debits in sorted(partners.items()):
            files.append(partner_csv(run, partner, debits))
        return files

    def pain008(self, run: RunRecord, debits: Sequence[Debit]) -> DebitFile:
        doc = SepaDD(
            {
                "name": self.creditor["name"],
                "IBAN": self.creditor["iban"],
                "BIC": self.creditor["bic"],
                "batch": True,
                "creditor_id": self.creditor["creditor_id"],
                "currency": "EUR",
            },
            schema=SCHEMA,
        )
        header = doc._xml.find("CstmrDrctDbtInitn/GrpHdr")  # the library's own tree
        assert header is not None
        _set(header, "MsgId", run.run_id)
        _set(header, "CreDtTm", datetime.combine(run.collection_date, time()).isoformat())
        for d in debits:
            payment: dict[str, object] = {
                "name": d.details.debtor_name,
                "IBAN": d.details.iban,
                "amount": d.amount,
                "type": SEQUENCE,
                "collection_date": run.collection_date,
                "mandate_id": d.mandate_id,
                "mandate_date": d.signed_on,
                "description": f"Invoice {d.invoice_id}"[:140],
                "endtoend_id": d.end_to_end_id,
            }
            if d.details.bic:
                payment["BIC"] = d.details.bic
            doc.add_payment(payment)
        content = doc.export(validate=True)
        return DebitFile(f"{run.run_id}-pain.008.xml", "application/xml", content, len(debits))


def _set(parent: ET.Element, tag: str, value: str) -> None:
    node = parent.find(tag)
    assert node is not None
    node.text = value


def partner_csv(run: RunRecord, partner: str, debits: Sequence[Debit]) -> DebitFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for d in debits:
        writer.writerow(
            [
                d.end_to_end_id,
                d.mandate_id,
                d.signed_on.isoformat(),
                d.account_id,
                d.invoice_id,
                d.details.debtor_name,
                d.details.bank_account or "",
                d.details.iban or "",
                d.details.bic or "",
                decimal_string(d.amount, d.currency),
                d.currency,
                run.collection_date.isoformat(),
                run.run_id,
            ]
        )
    name = f"{run.run_id}-{partner}.csv"
    return DebitFile(name, "text/csv", out.getvalue().encode(), len(debits))
