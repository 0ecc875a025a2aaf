"""The four-eyes policy as configured, and what approving a request reads.

The write-off threshold is per currency (``LEDGER_WRITE_OFF_APPROVAL_THRESHOLD``); a
command learns its account's currency only once the account is loaded, so the handlers
bind the threshold to a ``WriteOffInvoice`` then, before ``decide``. They bind the
requester or decider too: always the authenticated actor of the request, never a value
from its body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ledger.application.ports import Needs
from ledger.domain import commands as cmd
from ledger.domain.state import Account


@dataclass(frozen=True)
class ApprovalPolicy:
    """Write-offs above ``write_off_thresholds[currency]`` need a second user's approval;
    a currency not listed has no threshold."""

    write_off_thresholds: Mapping[str, Decimal] = field(default_factory=dict)

    def bind(self, command: cmd.Command, state: Account | None, actor: str) -> cmd.Command:
        """``command`` with the threshold of the account's currency and the actor."""
        if isinstance(command, cmd.DecideRequest):
            return command.model_copy(update={"decided_by": actor})
        if isinstance(command, cmd.ChangeCreditLimit):
            return command.model_copy(update={"requested_by": actor})
        if not isinstance(command, cmd.WriteOffInvoice) or state is None:
            return command
        threshold = self.write_off_thresholds.get(state.currency)
        return command.model_copy(update={"approval_above": threshold, "requested_by": actor})


def approval_needs(command: cmd.Command, state: Account | None, reads: Needs) -> Needs | None:
    """Approving a write-off request reads the invoice it names, known only from the
    loaded request; None when the state already holds all the command reads."""
    if not isinstance(command, cmd.ApproveRequest) or state is None:
        return None
    request = state.pending.get(command.request_id)
    if request is None or request.invoice_id is None or request.invoice_id in state.items:
        return None
    return replace(reads, item_ids=reads.item_ids | {request.invoice_id})
