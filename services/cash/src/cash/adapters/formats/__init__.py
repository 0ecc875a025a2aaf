"""Statement formats: each reads raw bytes into :class:`~cash.domain.statement.StatementLine`."""

from __future__ import annotations

from cash.adapters.formats import camt
from cash.domain.errors import InvalidStatement
from cash.domain.statement import Format, StatementLine


def parse(raw: bytes, file_id: str, fmt: str | None = None) -> tuple[str, list[StatementLine]]:
    """Read ``raw`` as ``fmt`` (or the format it looks like)."""
    chosen = Format(fmt) if fmt else camt.detect(raw)
    if chosen in (Format.CAMT053, Format.CAMT054):
        return chosen.value, camt.parse(raw, file_id)
    raise InvalidStatement("not a camt.053 or camt.054 message (say format= for others)")
