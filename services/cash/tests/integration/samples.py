"""Statement files for the tests, written to the structure of the ISO 20022 published
camt.053.001.02 / camt.054.001.02 examples (GrpHdr, Stmt with Acct, Bal, Ntry with
NtryDtls/TxDtls, Refs, RltdPties, RmtInf, RtrInf)."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

IBAN = "SG12DBSS00001234567890"
HK_IBAN = "HK12HSBC00009876543210"  # an account of the Hong Kong entity


@dataclass(frozen=True)
class Entry:
    ref: str
    amount: str
    payer: str = ""
    remittance: str = ""
    credit: bool = True
    value_date: str = "2026-02-10"
    currency: str = "SGD"
    end_to_end: str = "NOTPROVIDED"
    return_code: str = ""


def _tx(e: Entry) -> str:
    party = "Dbtr" if e.credit else "Cdtr"
    rtr = f"<RtrInf><Rsn><Cd>{e.return_code}</Cd></Rsn></RtrInf>" if e.return_code else ""
    return f"""
          <TxDtls>
            <Refs><AcctSvcrRef>{e.ref}-TX</AcctSvcrRef><EndToEndId>{e.end_to_end}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="{e.currency}">{e.amount}</Amt></TxAmt></AmtDtls>
            <RltdPties><{party}><Nm>{escape(e.payer)}</Nm></{party}></RltdPties>
            <RmtInf><Ustrd>{escape(e.remittance)}</Ustrd></RmtInf>{rtr}
          </TxDtls>"""


def _entry(e: Entry) -> str:
    return f"""
      <Ntry>
        <Amt Ccy="{e.currency}">{e.amount}</Amt>
        <CdtDbtInd>{"CRDT" if e.credit else "DBIT"}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{e.value_date}</Dt></BookgDt>
        <ValDt><Dt>{e.value_date}</Dt></ValDt>
        <AcctSvcrRef>{e.ref}</AcctSvcrRef>
        <BkTxCd><Prtry><Cd>NTRF</Cd><Issr>SWIFT</Issr></Prtry></BkTxCd>
        <NtryDtls>{_tx(e)}
        </NtryDtls>
      </Ntry>"""


def camt053(entries: list[Entry], *, statement_id: str = "STMT-1", iban: str = IBAN) -> bytes:
    body = "".join(_entry(e) for e in entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>{statement_id}-MSG</MsgId>
      <CreDtTm>2026-02-11T06:00:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <CreDtTm>2026-02-11T06:00:00</CreDtTm>
      <Acct>
        <Id><IBAN>{iban}</IBAN></Id>
        <Ccy>SGD</Ccy>
        <Svcr><FinInstnId><BIC>DBSSSGSGXXX</BIC></FinInstnId></Svcr>
      </Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="SGD">0.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Dt><Dt>2026-02-10</Dt></Dt>
      </Bal>{body}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()
