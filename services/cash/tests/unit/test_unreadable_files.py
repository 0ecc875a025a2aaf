"""Any bytes given to the statement readers: lines, or InvalidStatement naming the fault;
never another error (which the HTTP edge would answer 500), never a NUL in a line's text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cash.adapters.formats import parse, partner_csv
from cash.domain.errors import InvalidStatement
from cash.domain.partners import CsvMapping
from cash.domain.statement import StatementLine

MT940 = b":20:STMT1\n:25:DBSSSGSGXXX/0721234567\n:28C:1/1\n:60F:C260209SGD0,00\n"
ENTRY = b":61:2602100210C12,50NTRFE2E-1//B-1\n:86:/NAME/ANG MO KIO/REMI/INV-1\n"
CSV_HEAD = b"Transaction,Settled,Customer,Net amount\n"
MAPPING = CsvMapping(
    columns={
        "entry_ref": "Transaction",
        "value_date": "Settled",
        "payer_name": "Customer",
        "amount": "Net amount",
    },
    currency="SGD",
    bank_account="GRABPAY-SG",
    date_format="%d/%m/%Y",
)

# Bytes of a file that starts as the format would: the fuzzing reaches past format detection.
mt940_files = st.builds(lambda tail: MT940 + tail, st.binary(max_size=300)) | st.builds(
    lambda text: MT940 + ENTRY + text.encode(), st.text(max_size=200)
)
csv_rows = st.lists(st.text(max_size=20), min_size=1, max_size=6).map(",".join)
csv_files = st.builds(
    lambda rows: CSV_HEAD + "\n".join(rows).encode(), st.lists(csv_rows, max_size=4)
) | st.binary(max_size=300)


def _readable(lines: list[StatementLine]) -> None:
    for line in lines:
        assert not any(isinstance(v, str) and "\x00" in v for v in astuple(line)), line


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | mt940_files)
def test_a_statement_reader_answers_lines_or_a_refusal(raw: bytes) -> None:
    try:
        _, lines = parse(raw, "f" * 64)
    except InvalidStatement:
        return
    _readable(lines)


@settings(max_examples=300, deadline=None)
@given(csv_files)
@example(CSV_HEAD + b",,,,x\n")  # a cell past the header's columns, the others blank
def test_a_partner_csv_reader_answers_lines_or_a_refusal(raw: bytes) -> None:
    try:
        lines = partner_csv.parse(raw, "f" * 64, MAPPING)
    except InvalidStatement:
        return
    _readable(lines)


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        (MT940 + ENTRY.replace(b"ANG MO", b"ANG\x00MO"), lambda raw: parse(raw, "f" * 64)),
        (
            CSV_HEAD + b"T1,10/02/2026,Bedok\x00Bakery,80.00\n",
            lambda raw: partner_csv.parse(raw, "f" * 64, MAPPING),
        ),
    ],
    ids=["mt940", "csv"],
)
def test_a_nul_character_is_refused_with_its_line(
    raw: bytes, read: Callable[[bytes], object]
) -> None:
    with pytest.raises(InvalidStatement, match=r"^line [26]: a NUL character"):
        read(raw)
