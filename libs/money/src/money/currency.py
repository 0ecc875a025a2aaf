"""ISO 4217 exponents, from the maintained table of the ``iso4217`` package."""

from __future__ import annotations

from functools import lru_cache

from iso4217 import Currency


@lru_cache(maxsize=512)
def iso_exponent(code: str) -> int | None:
    """Digits of the minor unit of ``code`` (2 for SGD, 0 for JPY, 3 for BHD), or None when
    ``code`` is not an ISO 4217 currency or has no minor unit (XAU, XXX, XDR).

    Cached: every amount asks. The cache is bounded, so unknown codes cannot grow it.
    """
    try:
        exp = Currency(code).exponent
    except ValueError:
        return None
    return None if exp is None else int(exp)
