"""Who is who, for the four-eyes rule: one spelling per person.

Standard library only, so the services' pure domains may use it (the import contracts
allow ``*.domain -> servicekit.identity`` and nothing else of servicekit).
"""

from __future__ import annotations

import unicodedata


def normalised_identity(actor: str) -> str:
    """One spelling per person: NFKC, case-folded, inner whitespace collapsed, stripped.

    ``NFKC(casefold(NFKC(x)))`` is Unicode's identifier caseless match, so full-width,
    ligature and case variants of a name compare equal.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", actor).casefold())
    return " ".join(folded.split())


def same_identity(a: str, b: str) -> bool:
    """Whether two actor names denote the same person (the four-eyes comparison)."""
    return normalised_identity(a) == normalised_identity(b)
