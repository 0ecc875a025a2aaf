"""Which jurisdictions a caller works for, as the application is told it.

``Scope`` is the caller's set of jurisdictions, ``None`` for every one. An object of no
known jurisdiction (a line imported before accounts had one) is only for callers of every
jurisdiction.
"""

from __future__ import annotations

from collections.abc import Collection

Scope = Collection[str] | None


def sees(scope: Scope, jurisdiction: str | None) -> bool:
    return scope is None or (jurisdiction is not None and jurisdiction in scope)


def sees_all(scope: Scope, jurisdictions: Collection[str] | None) -> bool:
    if scope is None:
        return True
    return jurisdictions is not None and all(j in scope for j in jurisdictions)


def param(scope: Scope) -> list[str] | None:
    """The scope as a SQL array parameter (``None``: no filter)."""
    return None if scope is None else sorted(scope)
