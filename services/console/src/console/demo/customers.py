"""One customer's year: its account, policies, invoices and what became of each invoice.

Customers are employers holding group policies, billed monthly or quarterly; each has a
payment habit (prompt, late, chronic, gone) that sets how late its payments come. Some
payments bounce (reversed, then paid again), some invoices are disputed, and the unpaid
invoices of customers who stopped paying are written off after 150 days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from console.demo import names
from console.demo.model import Call, Portfolio, add_months, amount

HABITS = (("prompt", 60), ("late", 25), ("chronic", 10), ("gone", 5))
LATENESS = {"prompt": (-8, 6), "late": (5, 45), "chronic": (30, 110), "gone": (20, 90)}
WRITE_OFF_AFTER_DAYS = 150


@dataclass
class _Account:
    account_id: str
    country: str
    terms: int
    habit: str
    gone_from: date
    dated: list[tuple[date, int, Call]] = field(default_factory=list)

    def add(self, on: date, call: Call) -> None:
        self.dated.append((on, len(self.dated), call))

    def path(self, tail: str) -> str:
        return f"/v1/accounts/{self.account_id}/{tail}"


def account(
    out: Portfolio, rng: random.Random, number: int, country: str, held: int, broker: str | None
) -> list[Call]:
    habit = rng.choices([h for h, _ in HABITS], weights=[w for _, w in HABITS])[0]
    new_business = rng.random() < 0.15
    opened = (
        add_months(out.first_day, rng.randint(1, 8))
        if new_business
        else date(out.first_day.year - rng.randint(1, 6), rng.randint(1, 12), 1)
    )
    acc = _Account(
        account_id=f"{country}-{number:05d}",
        country=country,
        terms=rng.choice((30, 30, 30, 14, 45)),
        habit=habit,
        gone_from=add_months(out.first_day, rng.randint(2, 9)),
    )
    scale = 1 if country == "SG" else 6  # HKD premiums in HKD
    premiums = [rng.randrange(300_00, 9_000_00) * scale for _ in range(held)]
    name = " ".join(
        (rng.choice(names.FIRST), rng.choice(names.SECOND), rng.choice(names.SUFFIX[country]))
    )
    body: dict[str, Any] = {
        "account_id": acc.account_id,
        "name": name,
        "currency": "SGD" if country == "SG" else "HKD",
        "jurisdiction": country,
        "credit_limit": amount(sum(premiums) * 8 // 100_00 * 100_00),
        "payment_terms_days": acc.terms,
        "opened_on": opened.isoformat(),
    }
    if broker:
        body["broker_id"] = broker
    calls = [Call("ledger", "/v1/accounts", body, "account")]
    for k, premium in enumerate(premiums, start=1):
        _policy(
            out, rng, acc, f"GP-{acc.account_id}-{k}", premium, max(opened, out.first_day), opened
        )
    calls.extend(call for _, _, call in sorted(acc.dated, key=lambda d: (d[0], d[1])))
    return calls


def _policy(
    out: Portfolio,
    rng: random.Random,
    acc: _Account,
    policy_id: str,
    premium: int,
    start: date,
    opened: date,
) -> None:
    months = 1 if rng.random() < 0.7 else 3
    products = rng.sample(names.PRODUCTS, rng.choice((1, 1, 2)))
    day = start
    while day <= out.through:
        total = premium * months
        invoice_id = f"INV-{policy_id}-{day.year:04d}{day.month:02d}"
        first = total * 7 // 10 if len(products) == 2 else total
        parts = [first, total - first] if len(products) == 2 else [total]
        year = max(1, (day - opened).days // 365 + 1)
        label = "monthly" if months == 1 else "quarterly"
        lines = [
            {
                "description": f"{p.replace('-', ' ').title()} premium, {label} from {day}",
                "amount": amount(part),
                "product": p,
                "policy_id": policy_id,
                "policy_year": year,
            }
            for p, part in zip(products, parts, strict=True)
        ]
        due = day + timedelta(days=acc.terms)
        acc.add(
            day,
            Call(
                "ledger",
                acc.path("invoices"),
                {
                    "invoice_id": invoice_id,
                    "issue_date": day.isoformat(),
                    "due_date": due.isoformat(),
                    "policy_id": policy_id,
                    "lines": lines,
                },
                "invoice",
            ),
        )
        _settle_invoice(out, rng, acc, invoice_id, total, day, due)
        day = add_months(day, months)


def _settle_invoice(
    out: Portfolio,
    rng: random.Random,
    acc: _Account,
    invoice_id: str,
    total: int,
    issued: date,
    due: date,
) -> None:
    """What happens to one invoice: paid (perhaps late, perhaps bouncing first), disputed,
    or left unpaid and, long overdue, written off."""
    if rng.random() < 0.02:
        on = issued + timedelta(days=10)
        if on <= out.through:
            acc.add(
                on,
                Call(
                    "ledger",
                    acc.path(f"invoices/{invoice_id}/dispute"),
                    {"reason": "Headcount on the invoice disputed", "disputed_on": on.isoformat()},
                    "dispute",
                    {"Idempotency-Key": f"dispute-{invoice_id}"},
                ),
            )
            return
    unpaid = (acc.habit == "gone" and issued >= acc.gone_from) or (
        acc.habit == "chronic" and rng.random() < 0.15
    )
    if unpaid:
        written = due + timedelta(days=WRITE_OFF_AFTER_DAYS)
        if written <= out.through and acc.habit == "gone":
            acc.add(
                written,
                Call(
                    "ledger",
                    acc.path("write-offs"),
                    {
                        "write_off_id": f"WO-{invoice_id}",
                        "invoice_id": invoice_id,
                        "reason": "Uncollectable: customer ceased trading",
                        "written_off_on": written.isoformat(),
                    },
                    "write-off",
                ),
            )
        return
    low, high = LATENESS[acc.habit]
    paid = max(issued, due + timedelta(days=rng.randint(low, high)))
    method = rng.choices(("bank_transfer", "giro", "cheque"), weights=(60, 25, 15))[0]
    payment_id = f"PAY-{invoice_id}"
    if paid > out.through:
        return
    acc.add(paid, _payment(acc, payment_id, invoice_id, total, paid, method))
    if method == "cheque" and rng.random() < 0.1:
        bounced = paid + timedelta(days=5)
        if bounced > out.through:
            return
        acc.add(
            bounced,
            Call(
                "ledger",
                acc.path(f"payments/{payment_id}/reversal"),
                {"reason": "Cheque returned unpaid", "reversed_on": bounced.isoformat()},
                "reversal",
            ),
        )
        again = bounced + timedelta(days=rng.randint(5, 20))
        if again <= out.through:
            acc.add(
                again, _payment(acc, f"{payment_id}-R", invoice_id, total, again, "bank_transfer")
            )


def _payment(
    acc: _Account, payment_id: str, invoice_id: str, total: int, on: date, method: str
) -> Call:
    return Call(
        "ledger",
        acc.path("payments"),
        {
            "payment_id": payment_id,
            "amount": amount(total),
            "received_on": on.isoformat(),
            "method": method,
            "reference": f"{method[:3].upper()}-{payment_id[-18:]}",
            "allocations": [{"invoice_id": invoice_id}],
        },
        "payment",
    )
