"""ISO 20022 bank-to-customer messages: camt.053 statements and camt.054 notifications.

Read with lxml, with entity expansion, DTDs and network access turned off (an XML bomb or
an external entity is refused, not followed). Any version of the schemas is accepted:
elements are found by their local names. Only booked entries are statement lines; a batch
entry with several transaction details becomes one line per transaction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from lxml import etree

from cash.domain.errors import CashError, InvalidStatement
from cash.domain.money import minor_units
from cash.domain.statement import Direction, Format, StatementLine

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


def _text(el: etree._Element | None, path: str) -> str:
    found = el.find(path) if el is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(el: etree._Element, path: str) -> date | None:
    raw = _text(el, f"{path}/Dt") or _text(el, f"{path}/DtTm")[:10]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidStatement(f"{path} {raw!r} is not a date", line=el.sourceline) from None


def _root(raw: bytes) -> etree._Element:
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as e:
        raise InvalidStatement(f"not well-formed XML: {e.msg}", line=e.lineno) from None
    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
    return root


def detect(raw: bytes) -> Format | None:
    head = raw[:4096]
    if b"BkToCstmrStmt" in head:
        return Format.CAMT053
    if b"BkToCstmrDbtCdtNtfctn" in head:
        return Format.CAMT054
    return None


def parse(raw: bytes, file_id: str) -> list[StatementLine]:
    root = _root(raw)
    reports = root.findall("BkToCstmrStmt/Stmt") + root.findall("BkToCstmrDbtCdtNtfctn/Ntfctn")
    if not reports:
        raise InvalidStatement(
            "no BkToCstmrStmt/Stmt or BkToCstmrDbtCdtNtfctn/Ntfctn: not a camt.053/054 message",
            line=root.sourceline,
        )
    lines: list[StatementLine] = []
    for report in reports:
        account = _text(report, "Acct/Id/IBAN") or _text(report, "Acct/Id/Othr/Id")
        if not account:
            raise InvalidStatement("the account has no Acct/Id", line=report.sourceline)
        ccy = _text(report, "Acct/Ccy")  # once: a path search walks all the report's children
        for n, entry in enumerate(report.findall("Ntry"), 1):
            try:
                lines += _entry(entry, account, ccy, f"{file_id[:16]}:{n}")
            except InvalidStatement:
                raise
            except CashError as e:
                raise InvalidStatement(e.detail, line=entry.sourceline) from None
    return lines


def _entry(entry: etree._Element, account: str, ccy: str, fallback: str) -> list[StatementLine]:
    line = entry.sourceline
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
    if status and status != "BOOK":
        return []  # pending or information only: not money on the account yet
    amt = entry.find("Amt")
    if amt is None or not (amt.text or "").strip():
        raise InvalidStatement("the entry has no Amt", line=line)
    currency = amt.get("Ccy") or ccy
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise InvalidStatement(f"CdtDbtInd {indicator!r} is neither CRDT nor DBIT", line=line)
    value_date = _date(entry, "ValDt") or _date(entry, "BookgDt")
    if value_date is None:
        raise InvalidStatement("the entry has neither ValDt nor BookgDt", line=line)
    ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef") or fallback
    details = entry.findall("NtryDtls/TxDtls")
    base = StatementLine(
        line_no=line or 0,
        bank_account=account,
        entry_ref=ref,
        direction=Direction.CREDIT if indicator == "CRDT" else Direction.DEBIT,
        amount=0,
        currency=currency,
        value_date=value_date,
        booking_date=_date(entry, "BookgDt"),
    )
    if len(details) <= 1:
        amount = _amount(amt, currency)
        return [replace(base, amount=amount, **_tx(details[0] if details else None))]
    out = []
    for i, tx in enumerate(details, 1):
        tx_amt = tx.find("Amt")
        if tx_amt is None:
            tx_amt = tx.find("AmtDtls/TxAmt/Amt")
        if tx_amt is None or not tx_amt.text:
            raise InvalidStatement("a transaction of a batch entry has no Amt", line=tx.sourceline)
        amount = _amount(tx_amt, currency)
        tx_ref = _text(tx, "Refs/AcctSvcrRef") or f"{ref}/{i}"
        out.append(
            replace(base, line_no=tx.sourceline or 0, entry_ref=tx_ref, amount=amount, **_tx(tx))
        )
    return out


def _amount(el: etree._Element, currency: str) -> int:
    try:
        return minor_units((el.text or "").strip(), el.get("Ccy") or currency)
    except CashError as e:
        raise InvalidStatement(f"Amt {e.detail}", line=el.sourceline) from None


def _tx(tx: etree._Element | None) -> dict[str, Any]:
    if tx is None:
        return {}
    e2e = _text(tx, "Refs/EndToEndId")
    e2e = "" if e2e == "NOTPROVIDED" else e2e
    payer = _text(tx, "RltdPties/Dbtr/Nm") or _text(tx, "RltdPties/Dbtr/Pty/Nm")
    remittance = [(u.text or "").strip() for u in tx.findall("RmtInf/Ustrd")]
    remittance += [_text(s, "CdtrRefInf/Ref") for s in tx.findall("RmtInf/Strd")]
    remittance += [_text(s, "RfrdDocInf/Nb") for s in tx.findall("RmtInf/Strd")]
    code = _text(tx, "RtrInf/Rsn/Cd")
    return {
        "payer_name": payer,
        "remittance": " ".join(r for r in remittance if r),
        "end_to_end_id": e2e,
        "return_code": code,
        "original_ref": e2e if code else "",
    }
