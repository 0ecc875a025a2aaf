"""The allocation order per jurisdiction and segment, without I/O."""

from __future__ import annotations

import pytest

from cash.domain.allocation import AllocationOrders, allocation

ORDERS = AllocationOrders(
    {"HK": "fees_first", "SG/corporate": "fees_first", "HK/sme": "oldest_due_first"}
)


@pytest.mark.parametrize(
    ("jurisdiction", "segment", "order"),
    [
        ("SG", None, "oldest_due_first"),  # nothing configured
        ("SG", "corporate", "fees_first"),  # the segment's
        ("SG", "sme", "oldest_due_first"),  # a segment without its own: the jurisdiction's
        ("HK", None, "fees_first"),
        ("HK", "corporate", "fees_first"),
        ("HK", "sme", "oldest_due_first"),  # the segment's overrides the jurisdiction's
    ],
)
def test_the_segment_wins_then_the_jurisdiction_then_oldest_first(
    jurisdiction: str, segment: str | None, order: str
) -> None:
    assert ORDERS.order_for(jurisdiction, segment) == order


@pytest.mark.parametrize(
    "bad",
    [{"SG": "by_policy"}, {"SG": "newest_first"}, {"sg": "fees_first"}, {"SG/": "fees_first"}],
)
def test_unknown_orders_and_keys_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"SG|sg"):
        AllocationOrders(bad)


def test_a_named_policy_is_allocated_by_policy() -> None:
    assert allocation("fees_first", "GL-88") == {
        "allocation_order": "by_policy",
        "policy_id": "GL-88",
    }
    assert allocation("fees_first", None) == {"allocation_order": "fees_first"}
