"""Bounded request types, and the OpenAPI check that finds an unbounded integer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query
from pydantic import BaseModel, TypeAdapter, ValidationError

from servicekit.types import INT64_MAX, Day, Instant, Position, unbounded_integers


def test_instants_outside_the_business_range_are_refused_before_utc_conversion() -> None:
    instant = TypeAdapter(Instant)
    for text in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1899-12-31T23:59"):
        with pytest.raises(ValidationError):
            instant.validate_python(text)
    assert instant.validate_python("2026-01-01T08:00:00+08:00") == datetime(2026, 1, 1, tzinfo=UTC)
    assert instant.validate_python("2026-01-01T00:00").tzinfo == UTC


def test_days_and_positions_have_their_ranges() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Day).validate_python("0001-01-01")
    with pytest.raises(ValidationError):
        TypeAdapter(Position).validate_python(INT64_MAX + 1)
    assert TypeAdapter(Position).validate_python(INT64_MAX) == INT64_MAX


def test_days_and_instants_are_iso_8601_not_seconds_since_1970() -> None:
    day, instant = TypeAdapter(Day), TypeAdapter(Instant)
    for value in ("0", "86400", "-0.00", "20260101", 0, "2026-01-01T00:00:00", " 2026-01-01"):
        with pytest.raises(ValidationError, match="ISO 8601"):
            day.validate_python(value)
    for value in ("0", "1767225600", 1767225600, "-0.00"):
        with pytest.raises(ValidationError, match="ISO 8601"):
            instant.validate_python(value)
    assert day.validate_json('"2026-01-31"') == date(2026, 1, 31)
    assert day.validate_python(date(2026, 1, 31)) == date(2026, 1, 31)
    assert instant.validate_json('"2026-01-31 09:30Z"') == datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert instant.validate_json('"2026-01-31"') == datetime(2026, 1, 31, tzinfo=UTC)


class Line(BaseModel):
    count: int
    years: Annotated[int, Query(ge=0, le=100)]


class Body(BaseModel):
    lines: list[Line]


def test_unbounded_integers_are_found_in_parameters_and_bodies() -> None:
    app = FastAPI()

    @app.post("/things/{thing_id}")
    async def post_thing(
        thing_id: int, body: Body, after: Position = 0, limit: Annotated[int, Query(ge=1)] = 5
    ) -> dict[str, Any]:
        return {}

    found = unbounded_integers(app.openapi())
    assert found == [
        "POST /things/{thing_id} thing_id",
        "POST /things/{thing_id} limit",
        "Line.count",
    ]
