"""Reading camt.053 / camt.054: booked entries, batches, returns, and refusals by line."""

from __future__ import annotations

import pytest

from cash.adapters.formats import parse
from cash.domain.errors import InvalidStatement
from cash.domain.statement import Direction

NOTIFICATION = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-02-10T10:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>N-1</Id>
      <Acct><Id><Othr><Id>0721234567</Id></Othr></Id><Ccy>SGD</Ccy></Acct>
      <Ntry>
        <Amt Ccy="SGD">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <ValDt><Dt>2026-02-10</Dt></ValDt><AcctSvcrRef>B-77</AcctSvcrRef>
        <NtryDtls>
          <TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>
            <Amt Ccy="SGD">100.00</Amt>
            <RltdPties><Dbtr><Pty><Nm>Tan Mei Ling</Nm></Pty></Dbtr></RltdPties>
            <RmtInf><Strd><CdtrRefInf><Ref>INV-9</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>
          <TxDtls><Amt Ccy="SGD">200.00</Amt><RmtInf><Ustrd>POL-3</Ustrd></RmtInf></TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="SGD">99.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
        <ValDt><Dt>2026-02-11</Dt></ValDt><AcctSvcrRef>B-78</AcctSvcrRef>
      </Ntry>
      <Ntry>
        <Amt Ccy="SGD">80.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <ValDt><Dt>2026-02-12</Dt></ValDt><AcctSvcrRef>B-79</AcctSvcrRef>
        <NtryDtls><TxDtls><Refs><EndToEndId>DD-5</EndToEndId></Refs>
          <RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf></TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def test_a_notification_batch_becomes_one_line_per_transaction() -> None:
    fmt, lines = parse(NOTIFICATION, "f" * 64)
    assert fmt == "camt.054"
    first, second, returned = lines
    assert (first.amount, first.payer_name, first.remittance) == (10000, "Tan Mei Ling", "INV-9")
    assert first.entry_ref == "B-77/1"
    assert (second.amount, second.remittance, second.entry_ref) == (20000, "POL-3", "B-77/2")
    assert first.bank_account == "0721234567"
    assert returned.direction is Direction.DEBIT
    assert (returned.return_code, returned.original_ref) == ("AM04", "DD-5")


def test_pending_entries_are_not_lines() -> None:
    _, lines = parse(NOTIFICATION, "f" * 64)
    assert "B-78" not in {ln.entry_ref for ln in lines}


def test_an_amount_too_precise_for_the_currency_names_its_line() -> None:
    raw = NOTIFICATION.replace(b'<Amt Ccy="SGD">80.00</Amt>', b'<Amt Ccy="SGD">80.001</Amt>')
    with pytest.raises(InvalidStatement, match=r"^line 24: Amt 80.001 has more decimal places"):
        parse(raw, "f" * 64)


def test_a_missing_credit_debit_indicator_names_its_line() -> None:
    raw = NOTIFICATION.replace(b"<CdtDbtInd>DBIT</CdtDbtInd>", b"")
    with pytest.raises(InvalidStatement, match=r"^line 23: CdtDbtInd"):
        parse(raw, "f" * 64)


def test_something_else_than_camt_is_refused() -> None:
    with pytest.raises(InvalidStatement, match=r"neither camt\.053/054 nor MT940"):
        parse(b"<Document><pain.008/></Document>", "f" * 64)
