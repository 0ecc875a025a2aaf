"""Upcasting: stored events of an older schema version are brought up to date on read.

An upcaster takes the stored JSON of version ``n`` and returns that of ``n + 1``; they
chain until the class's current ``schema_version``. The stored row is never changed (its
hash covers what was written).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledger.domain.events import EVENT_TYPES, Event

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]

UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


@upcaster("InvoiceIssued", 1)
def _invoice_v1_to_v2(data: Data) -> Data:
    """Version 1 had no ``total`` and unnumbered lines; version 2 numbers them and sums."""
    lines = [{"line_no": n + 1, **line} for n, line in enumerate(data["lines"])]
    total = sum((Decimal(line["amount"]) for line in lines), Decimal(0))
    return {**data, "lines": lines, "total": str(total)}


@upcaster("PaymentReceived", 1)
def _payment_v1_to_v2(data: Data) -> Data:
    """Version 1 did not record the allocation order (it was always oldest due first for a
    payment naming no invoices, but the event does not say which kind it was)."""
    return {**data, "allocation_order": None, "policy_id": None}


def upcast(event_type: str, schema_version: int, data: Data) -> Data:
    current = EVENT_TYPES[event_type].schema_version
    while schema_version < current:
        data = UPCASTERS[(event_type, schema_version)](data)
        schema_version += 1
    return data


def to_domain(event_type: str, schema_version: int, data: Data) -> Event:
    """The domain event of a stored row, upcast to the current schema."""
    cls = EVENT_TYPES[event_type]
    return cls.model_validate(upcast(event_type, schema_version, data))
