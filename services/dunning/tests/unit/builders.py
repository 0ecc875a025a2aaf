"""Given-facts builders for the pure domain tests (no I/O)."""

from __future__ import annotations

from datetime import date, timedelta

from dunning.adapters.policy_file import parse_policies
from dunning.domain import ledger_facts as f
from dunning.domain.decide import Decision, evaluate
from dunning.domain.policies import Policy
from dunning.domain.receivables import evolve
from dunning.domain.state import Contact, DunningState

POLICY_YAML = """
policies:
  - policy_id: test
    jurisdiction: SG
    currency: SGD
    promise_grace_days: 2
    plan_grace_days: 2
    credit_block_level: 2
    levels:
      - {level: 1, name: Reminder, days_past_due: 5, min_overdue: "10.00", actions: [reminder]}
      - {level: 2, name: Final, days_past_due: 10, min_overdue: "10.00",
         actions: [final_notice, {type: fee, amount: "25.00"}]}
      - {level: 3, name: Suspend, days_past_due: 20, actions: [suspension]}
      - {level: 4, name: Legal, days_past_due: 40, actions: [legal_escalation]}
"""

POLICY: Policy = parse_policies(POLICY_YAML).policies[0]
D0 = date(2026, 1, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


class Account:
    """An account's receivables built from ledger facts, and its dunning state."""

    def __init__(self, account_id: str = "A1") -> None:
        self.id = account_id
        self.rec = evolve(
            None,
            f.AccountOpened(
                account_id=account_id,
                name="Tan",
                currency="SGD",
                jurisdiction="SG",
                credit_limit="1000.00",
            ),
            account_id,
        )
        self.state = DunningState(account_id=account_id)
        self.events: list[str] = []

    def fact(self, fact: f.Fact, on: date | None = None) -> Account:
        self.rec = evolve(self.rec, fact, self.id, on)
        return self

    def invoice(
        self, invoice_id: str, amount: str, due: date, policy: str | None = None
    ) -> Account:
        return self.fact(
            f.InvoiceIssued(
                invoice_id=invoice_id,
                issue_date=due - timedelta(days=30),
                due_date=due,
                total=amount,
                lines=(f.Line(amount=amount, policy_id=policy),),
            )
        )

    def pay(self, payment_id: str, amount: str, on: date, invoice_id: str | None = None) -> Account:
        self.fact(f.PaymentReceived(payment_id=payment_id, amount=amount, received_on=on))
        if invoice_id:
            self.fact(
                f.PaymentAllocated(payment_id=payment_id, invoice_id=invoice_id, amount=amount),
                on,
            )
        return self

    def run(self, on: date, contact: Contact | None = None) -> Decision:
        d = evaluate(self.state, self.rec, POLICY, on, contact or Contact(email="t@example.com"))
        self.state = d.state
        self.events += [e.event.event_type() for e in d.events]
        return d

    def run_days(self, start: int, end: int) -> list[tuple[int, int]]:
        """Run every day from ``start`` to ``end`` inclusive; (day, level) after each."""
        out = []
        for n in range(start, end + 1):
            self.run(day(n))
            out.append((n, self.state.level))
        return out


def types(d: Decision) -> list[str]:
    return [e.event.event_type() for e in d.events]
