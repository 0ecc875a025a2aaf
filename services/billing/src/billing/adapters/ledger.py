"""The ledger's HTTP API as billing uses it: accounts, invoices, credit and debit notes.

A document becomes one request whose body is fixed when the document is recorded, so a
retry (after a timeout, a crash, a re-run) sends exactly the same command with the same
id, which the ledger answers from its idempotency record. A debit note is a positive
adjustment on the period's invoice; a credit note credits that invoice.

Many documents go in one ``POST /v1/batches`` (``send_many``): each is the same command,
with the same id, as its single route, so a batch resent after a failure replays what the
ledger already wrote. A ledger that takes no batches from billing gets them one by one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from billing.application.ports import AccountTerms, Outcome
from billing.domain.documents import Document
from billing.domain.errors import LedgerUnavailable
from billing.domain.money import fmt
from billing.domain.state import Policy
from servicekit.ledger_client import LedgerClient

# a document's route, as a batch item's op
_OPS = {"invoices": "issue_invoice", "credit-notes": "issue_credit_note"}
_OPS["adjustments"] = "post_adjustment"
REJECTED = (404, 409, 422)  # the ledger refused the document itself
NOT_APPLIED = 424  # another document of its account was refused: not written, send it alone


def batch_item(request: dict[str, Any]) -> dict[str, Any] | None:
    """A recorded request (``path`` and ``body``) as a ``POST /v1/batches`` item, or None
    when its route has no op."""
    parts = request["path"].split("/")
    if len(parts) != 5 or parts[:3] != ["", "v1", "accounts"] or parts[4] not in _OPS:
        return None
    return {"op": _OPS[parts[4]], "account_id": parts[3], "body": request["body"]}


class HttpLedger(LedgerClient):
    """Billing's calls; each carries billing's credential (also on a client it is handed)."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        actor: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(base_url, client=client, headers=headers, timeout=timeout)
        # The ledger records the token's subject; a user is named only when acting for one
        # (the ledger accepts X-Actor from a trusted service identity alone).
        self.headers = {**(headers or {}), **({"X-Actor": actor} if actor else {})}

    async def account(self, account_id: str) -> AccountTerms | None:
        try:
            r = await self.client.get(
                f"{self.base_url}/v1/accounts/{account_id}", headers=self.headers
            )
        except httpx.HTTPError as e:
            raise LedgerUnavailable(f"the ledger is unreachable: {e!r}") from e
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise LedgerUnavailable(f"the ledger answered {r.status_code}: {r.text[:300]}")
        body = r.json()
        return AccountTerms(
            account_id=body["account_id"],
            currency=body["currency"],
            jurisdiction=body["jurisdiction"],
            payment_terms_days=int(body["payment_terms_days"]),
            broker_id=body.get("broker_id"),
        )

    def request(self, policy: Policy, doc: Document) -> dict[str, Any]:
        account, c = policy.account_id, policy.currency
        if doc.kind == "invoice":
            assert doc.due_date is not None
            body: dict[str, Any] = {
                "invoice_id": doc.document_id,
                "issue_date": doc.issued_on.isoformat(),
                "due_date": doc.due_date.isoformat(),
                "policy_id": policy.policy_id,
                "lines": [
                    {
                        "description": line.description[:500],
                        "amount": fmt(line.amount, c),
                        "product": line.product,
                        "policy_id": policy.policy_id,
                        "policy_year": doc.term_no,
                    }
                    for line in doc.lines
                ],
            }
            if policy.broker_id:
                body["broker_id"] = policy.broker_id
            return {"path": f"/v1/accounts/{account}/invoices", "body": body}
        if doc.kind == "credit_note":
            return {
                "path": f"/v1/accounts/{account}/credit-notes",
                "body": {
                    "credit_note_id": doc.document_id,
                    "invoice_id": doc.invoice_id,
                    "amount": fmt(-doc.amount, c),
                    "reason": doc.reason or "premium credit",
                    "issued_on": doc.issued_on.isoformat(),
                },
            }
        return {
            "path": f"/v1/accounts/{account}/adjustments",
            "body": {
                "adjustment_id": doc.document_id,
                "invoice_id": doc.invoice_id,
                "amount": fmt(doc.amount, c),
                "reason": doc.reason or "premium debit",
                "effective_on": doc.issued_on.isoformat(),
            },
        }

    async def send(self, request: dict[str, Any]) -> Outcome:
        try:
            r = await self.client.post(
                f"{self.base_url}{request['path']}", json=request["body"], headers=self.headers
            )
        except httpx.HTTPError as e:
            raise LedgerUnavailable(f"the ledger is unreachable: {e!r}") from e
        if r.status_code in (200, 201):
            return Outcome("posted")
        if r.status_code in (404, 409, 422):
            return Outcome("rejected", f"{r.status_code}: {r.text[:500]}")
        raise LedgerUnavailable(f"the ledger answered {r.status_code}: {r.text[:300]}")

    async def send_many(self, requests: list[dict[str, Any]]) -> list[Outcome]:
        """``requests`` through ``POST /v1/batches`` (``?results=errors``: the answers of
        the documents written are not needed), an outcome each, in order; a document not
        applied because another of its account was refused is sent again alone."""
        items = [batch_item(r) for r in requests]
        if not items or None in items:
            return [await self.send(r) for r in requests]
        try:
            r = await self.client.post(
                f"{self.base_url}/v1/batches?results=errors", json=items, headers=self.headers
            )
        except httpx.HTTPError as e:
            raise LedgerUnavailable(f"the ledger is unreachable: {e!r}") from e
        if r.status_code in (401, 403, 404, 405):  # no batches for billing: one by one
            return [await self.send(r) for r in requests]
        if r.status_code != 200:
            raise LedgerUnavailable(f"the ledger answered a batch {r.status_code}: {r.text[:300]}")
        outcomes = [Outcome("posted")] * len(requests)  # an item not listed was run
        for result in r.json()["results"]:
            n, status = result["index"], result["status"]
            if status in (200, 201):
                continue
            if status in REJECTED:
                detail = json.dumps(result.get("problem"), ensure_ascii=False)
                outcomes[n] = Outcome("rejected", f"{status}: {detail[:500]}")
            elif status == NOT_APPLIED:
                outcomes[n] = await self.send(requests[n])
            else:
                raise LedgerUnavailable(f"the ledger answered a document {status}: {result}")
        return outcomes
