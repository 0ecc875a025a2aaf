"""The files a run hands to the banks: pain.008 valid against its XSD, partner CSVs."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from lxml import etree

from cash.adapters.formats.debit_files import CSV_COLUMNS, DebitFileWriter, creditor
from cash.application.debit_ports import ItemRecord, RunRecord
from cash.domain.collection import Debit, end_to_end_id
from cash.domain.errors import InvalidMandate
from cash.domain.mandates import Details

ON = date(2026, 3, 2)
RUN = RunRecord("DD-20260302", ON, "posting", "clerk", datetime(2026, 3, 1, tzinfo=UTC), None)
CREDITOR = {
    "name": "Receivables Europe GmbH",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "creditor_id": "DE98ZZZ09999999999",
}
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


def debit(account: str, invoice: str, amount: int, details: Details, ccy: str = "EUR") -> Debit:
    scheme = "sepa_core" if ccy == "EUR" else "partner"
    return Debit(
        end_to_end_id(ON, account, invoice),
        f"M-{account}",
        account,
        invoice,
        date(2026, 2, 28),
        amount,
        ccy,
        scheme,
        date(2026, 1, 15),
        details,
    )


SEPA = [
    debit("A", "INV-1", 64000, Details("Lyon Freight SARL", "FR1420041010050500013M02606")),
    debit("B", "INV-2", 1999, Details("Zoë Müller", "NL91ABNA0417164300", "ABNANL2A")),
]
GIRO = debit("C", "INV-3", 25050, Details("Orchard", None, None, "DBS-GIRO", "0721234567"), "SGD")


def test_the_pain008_is_valid_against_its_schema_and_says_what_to_collect() -> None:
    files = DebitFileWriter(CREDITOR).render(
        RUN, [ItemRecord(d, RUN.run_id, "collected") for d in SEPA]
    )
    [pain] = files
    assert (pain.name, pain.media_type, pain.items) == (
        "DD-20260302-pain.008.xml",
        "application/xml",
        2,
    )
    xmlschema.XMLSchema(str(XSD)).validate(pain.content.decode())
    tree = etree.fromstring(pain.content)
    assert tree.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:MsgId", namespaces=NS) == "DD-20260302"
    assert tree.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert tree.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "659.99"
    assert tree.findtext(".//p:PmtInf/p:PmtTpInf/p:SeqTp", namespaces=NS) == "RCUR"
    assert tree.findtext(".//p:PmtInf/p:ReqdColltnDt", namespaces=NS) == "2026-03-02"
    assert tree.findtext(".//p:CdtrSchmeId//p:Othr/p:Id", namespaces=NS) == "DE98ZZZ09999999999"
    txs = tree.findall(".//p:DrctDbtTxInf", namespaces=NS)
    got = {
        tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): (
            tx.findtext("p:InstdAmt", namespaces=NS),
            tx.findtext(".//p:MndtId", namespaces=NS),
            tx.findtext(".//p:DtOfSgntr", namespaces=NS),
            tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS),
            tx.findtext("p:Dbtr/p:Nm", namespaces=NS),
        )
        for tx in txs
    }
    assert got == {
        SEPA[0].end_to_end_id: (
            "640.00",
            "M-A",
            "2026-01-15",
            "FR1420041010050500013M02606",
            "Lyon Freight SARL",
        ),
        SEPA[1].end_to_end_id: ("19.99", "M-B", "2026-01-15", "NL91ABNA0417164300", "Zoe Muller"),
    }


def test_a_partner_gets_a_csv_of_its_debits() -> None:
    items = [ItemRecord(d, RUN.run_id, "collected") for d in [*SEPA, GIRO]]
    files = {f.name: f for f in DebitFileWriter(CREDITOR).render(RUN, items)}
    assert set(files) == {"DD-20260302-pain.008.xml", "DD-20260302-DBS-GIRO.csv"}
    rows = list(csv.DictReader(io.StringIO(files["DD-20260302-DBS-GIRO.csv"].content.decode())))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows == [
        {
            "end_to_end_id": GIRO.end_to_end_id,
            "mandate_id": "M-C",
            "mandate_signed_on": "2026-01-15",
            "account_id": "C",
            "invoice_id": "INV-3",
            "debtor_name": "Orchard",
            "bank_account": "0721234567",
            "iban": "",
            "bic": "",
            "amount": "250.50",
            "currency": "SGD",
            "collection_date": "2026-03-02",
            "reference": "DD-20260302",
        }
    ]


def test_without_a_creditor_eur_debits_are_refused_before_anything_is_collected() -> None:
    writer = DebitFileWriter({})
    writer.check([GIRO])
    with pytest.raises(InvalidMandate, match="CASH_SEPA_CREDITOR"):
        writer.check(SEPA)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bic": ""}, "needs bic"),
        ({"iban": "DE89370400440532013001"}, "bank details"),
        ({"creditor_id": "not an id"}, "creditor identifier"),
    ],
)
def test_a_creditor_that_does_not_hold_is_refused(change: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        creditor({**CREDITOR, **change})
