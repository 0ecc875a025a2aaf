"""Statement formats: each reads raw bytes into :class:`~cash.domain.statement.StatementLine`."""

from __future__ import annotations

from cash.adapters.formats import camt, swift
from cash.domain.errors import InvalidStatement
from cash.domain.statement import Format, StatementLine


def parse(raw: bytes, file_id: str, fmt: str | None = None) -> tuple[str, list[StatementLine]]:
    """Read ``raw`` as ``fmt`` (or the format it looks like)."""
    chosen = Format(fmt) if fmt else camt.detect(raw)
    if chosen is None and swift.looks_like(raw):
        chosen = Format.MT940
    if chosen in (Format.CAMT053, Format.CAMT054):
        return chosen.value, camt.parse(raw, file_id)
    if chosen is Format.MT940:
        return chosen.value, swift.parse(raw, file_id)
    raise InvalidStatement("neither camt.053/054 nor MT940 (say format= for partner CSV)")
