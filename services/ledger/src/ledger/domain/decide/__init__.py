"""``decide(command, state) -> events``: the rules of a receivables account.

Pure: no I/O, no clock. A rejected command raises a ``RuleViolation`` subclass naming the
rule and, where one is at fault, the field. ``core`` dispatches on the command type; the
rules live in ``invoices``, ``payments``, ``suspense`` and ``approvals``, which register
themselves on import.
"""

from ledger.domain.decide import approvals, invoices, payments, suspense
from ledger.domain.decide.core import decide

__all__ = ["approvals", "decide", "invoices", "payments", "suspense"]
