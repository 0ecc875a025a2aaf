"""Bounded request types shared by the services, and the check that every integer is bounded.

An unbounded ``int`` query parameter lets ``?after=99999999999999999999`` through to
PostgreSQL, which fails on it (a 500); an unbounded date lets ``0001-01-01`` reach date
arithmetic that overflows. These types carry their range into validation (a ``422``
naming the parameter) and into the OpenAPI document, where :func:`unbounded_integers`
finds any integer still without one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from annotated_types import Ge, Le
from fastapi import Query
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

# Business dates: wide enough for any policy, narrow enough that a year of date
# arithmetic either side stays inside the calendar and PostgreSQL's range.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
DATE_RANGE = f"between {FIRST_DAY} and {LAST_DAY}"

JURISDICTION_PATTERN = r"^[A-Z]{2,8}$"
Jurisdiction = Annotated[
    str,
    Field(pattern=JURISDICTION_PATTERN, examples=["SG"], description="a jurisdiction code: SG, HK"),
]
"""Where an account or a broker belongs: what callers limited to jurisdictions are matched on,
so a blank, lower-case or free-text one would hide it from the people it belongs to."""

JurisdictionFilter = Annotated[
    str | None,
    Query(pattern=JURISDICTION_PATTERN, examples=["SG"], description="only this jurisdiction"),
]
"""A ``?jurisdiction=`` filter: what :data:`Jurisdiction` accepts where objects are made."""

Position = Annotated[int, Ge(0), Le(INT64_MAX)]
"""A feed position, a version or an offset: 0 .. 2^63-1 (PostgreSQL ``bigint``)."""

SmallCount = Annotated[int, Ge(0), Le(INT32_MAX)]
"""A level, a page number, a count of days: 0 .. 2^31-1 (PostgreSQL ``integer``)."""

# Pydantic alone also reads a number, or a numeric string, as seconds since 1970 ("0",
# "86400", "-0.00" are 1970 dates) and a midnight date-time as a date: refused here.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}([T ].+)?", re.ASCII | re.DOTALL)


def _iso(pattern: re.Pattern[str], kind: type, example: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, kind) or (isinstance(value, str) and pattern.fullmatch(value)):
            return value
        raise PydanticCustomError("iso_8601", f"write it as ISO 8601, such as {example}")

    return BeforeValidator(check)


Day = Annotated[
    date,
    _iso(_ISO_DAY, date, "2026-01-31"),
    Field(ge=FIRST_DAY, le=LAST_DAY, description=f"a business date (ISO 8601) {DATE_RANGE}"),
]
"""A business (effective) date."""


def _instant(value: datetime) -> datetime:
    """A time without an offset is UTC; its UTC day must be a business date."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    first = datetime.combine(FIRST_DAY, time(), UTC)
    last = datetime.combine(LAST_DAY, time.max, UTC)
    # compared before converting: 9999-12-31T23:59:59-14:00 is past year 9999 in UTC
    if not first <= value <= last:
        raise ValueError(f"must be a time {DATE_RANGE} (UTC)")
    return value.astimezone(UTC)


Instant = Annotated[
    datetime, _iso(_ISO_INSTANT, datetime, "2026-01-31T09:30:00+08:00"), AfterValidator(_instant)
]
"""A recorded time (ISO 8601; without an offset, UTC) within the business date range."""


def _inputs(spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The schema of every parameter and request body, by where it is."""
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            if not isinstance(op, dict):
                continue
            for param in op.get("parameters", ()):
                yield f"{method.upper()} {path} {param['name']}", param.get("schema", {})
            for media in op.get("requestBody", {}).get("content", {}).values():
                yield f"{method.upper()} {path} body", media.get("schema", {})


def _integers(
    spec: dict[str, Any], schema: Any, where: str, seen: set[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, list):
        for value in schema:
            yield from _integers(spec, value, where, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref not in seen:
            seen.add(ref)
            target = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            yield from _integers(spec, target, ref.rsplit("/", 1)[-1], seen)
        return
    if schema.get("type") == "integer":
        yield where, schema
    for key, value in schema.get("properties", {}).items():
        yield from _integers(spec, value, f"{where}.{key}", seen)
    for key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
        if key in schema:
            yield from _integers(spec, schema[key], where, seen)


def unbounded_integers(spec: dict[str, Any]) -> list[str]:
    """Where an OpenAPI document takes an integer (a parameter or a request body field)
    without both a minimum and a maximum inside PostgreSQL's ``bigint``."""
    found = []
    for where, schema in _inputs(spec):
        for at, integer in _integers(spec, schema, where, set()):
            low = integer.get("minimum", integer.get("exclusiveMinimum"))
            high = integer.get("maximum", integer.get("exclusiveMaximum"))
            if low is None or high is None or low < -INT64_MAX - 1 or high > INT64_MAX:
                found.append(at)
    return found
