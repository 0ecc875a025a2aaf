"""Notices read right: "1 day past due", "2 days past due"; Chinese needs no plural."""

from __future__ import annotations

from typing import Any

import pytest

from dunning.application.notices import render_text


def _data(*days: int) -> dict[str, Any]:
    return {
        "account_id": "A1",
        "account_name": "Customer A1",
        "currency": "SGD",
        "overdue_amount": "800.00",
        "invoices": [
            {
                "invoice_id": f"I{d}",
                "due_date": "2026-01-31",
                "days_past_due": d,
                "open_amount": "400.00",
            }
            for d in days
        ],
    }


@pytest.mark.parametrize("kind", ["ReminderSent", "FinalNoticeSent"])
def test_days_past_due_are_pluralised_in_english(kind: str) -> None:
    _, body = render_text(kind, "en", _data(1, 2))
    assert "   1 day past due" in body
    assert "   2 days past due" in body
    assert "1 days" not in body


@pytest.mark.parametrize("kind", ["ReminderSent", "FinalNoticeSent"])
def test_chinese_notices_read_right(kind: str) -> None:
    subject, body = render_text(kind, "zh", _data(1))
    assert "逾期未付 SGD 800.00" in subject
    assert "逾期 1 天" in body
