"""Cursor paging for list endpoints, shared by the services.

A list is ordered by a unique key (e.g. ``(name, account_id)``); the cursor is that key of
the last row of a page, opaque to clients (URL-safe base64 of a JSON array). The next page
is the rows after it. A cursor that does not decode is a 422 ``validation`` problem naming
the ``cursor`` query parameter, like any other malformed parameter.

    @router.get("/things")
    ByName = cursor_param(str, str)

    @router.get("/things")
    async def things(after: Annotated[Key | None, ByName], limit: Limit = 50) -> ...:
        rows = await query(after=after, limit=limit + 1)
        kept, next_cursor = page(rows, limit, key=lambda r: (r["name"], r["id"]))
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

Key = tuple[Any, ...]
T = TypeVar("T")


def encode(key: Sequence[Any]) -> str:
    """The cursor of ``key`` (strings, integers, dates and None)."""
    plain = [v.isoformat() if isinstance(v, date) else v for v in key]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


_BAD = "not a cursor this list gave out"


def _part(value: Any, kind: type) -> Any:
    if value is None:
        return None
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    raise ValueError(_BAD)


def decode(cursor: str, kinds: Sequence[type]) -> Key:
    """The key in ``cursor``, one value of each of ``kinds`` (str, int or date; None
    allowed); ValueError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
        if not isinstance(value, list) or len(value) != len(kinds):
            raise ValueError(_BAD)
        return tuple(_part(v, k) for v, k in zip(value, kinds, strict=True))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(_BAD) from None


def cursor_param(*kinds: type) -> Any:
    """A dependency: the ``cursor`` query parameter decoded to a key of ``kinds`` (None
    on the first page); an invalid one is refused as a validation error."""

    async def dependency(
        cursor: Annotated[
            str | None,
            Query(
                max_length=2048,
                description="`next_cursor` of the previous page; leave out for the first",
            ),
        ] = None,
    ) -> Key | None:
        if cursor is None:
            return None
        try:
            return decode(cursor, kinds)
        except ValueError as e:
            raise RequestValidationError(
                [{"type": "cursor", "loc": ("query", "cursor"), "msg": str(e), "input": cursor}]
            ) from None

    return Depends(dependency)


Limit = Annotated[int, Query(ge=1, le=500, description="rows per page (at most 500)")]


def page(
    rows: Sequence[T], limit: int, key: Callable[[T], Sequence[Any]]
) -> tuple[list[T], str | None]:
    """The first ``limit`` of ``rows`` (fetched as ``limit + 1``) and the next page's
    cursor, None when this page is the last."""
    if len(rows) <= limit:
        return list(rows), None
    kept = list(rows[:limit])
    return kept, encode(key(kept[-1]))
