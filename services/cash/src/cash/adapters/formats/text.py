"""The text of a statement file that is text (MT940, partner CSV): UTF-8, no NUL.

A NUL character (U+0000) is valid UTF-8 but no text column can hold it (PostgreSQL refuses
it), so a file carrying one is refused here, naming its line, before anything is kept.
"""

from __future__ import annotations

from cash.domain.errors import InvalidStatement


def decoded(raw: bytes, encoding: str = "utf-8") -> str:
    """``raw`` as text (``encoding``: ``utf-8``, or ``utf-8-sig`` to drop a byte-order mark)."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise InvalidStatement("not UTF-8 text", line=raw[: e.start].count(b"\n") + 1) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InvalidStatement(
            "a NUL character (U+0000), which text cannot hold", line=text.count("\n", 0, nul) + 1
        )
    return text
