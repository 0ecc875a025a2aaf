"""Access checks of the ledger's routes (scopes and roles: ``scopes.py``).

A caller scoped to some jurisdictions sees only their accounts: any other account answers
404, as if it did not exist; reports cover only their jurisdictions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ledger.adapters.http.deps import AccountId, LedgerDep
from ledger.adapters.http.scopes import READ
from ledger.adapters.postgres import queries
from ledger.bootstrap import Ledger
from ledger.domain import errors as err
from servicekit.auth import Caller, Forbidden, Principal, requires
from servicekit.auth import require_everywhere as everywhere  # noqa: F401 (the routes use it)

Reader = Annotated[Principal, requires(READ)]


async def visible_account(account_id: AccountId, principal: Caller, ledger: LedgerDep) -> str:
    """The path's account, if the caller may see it (else 404, as for no account)."""
    if not principal.everywhere:
        async with ledger.engine.connect() as conn:
            row = await queries.get_account(conn, account_id)
        if row is None or not principal.sees(row["jurisdiction"]):
            raise err.AccountNotFound(f"account {account_id} does not exist")
    return account_id


VisibleAccount = Annotated[str, Depends(visible_account)]


def jurisdictions(principal: Principal, asked: str | None) -> set[str] | None:
    """The jurisdictions a report covers: the one asked for, within the caller's own."""
    if asked is not None:
        return {asked.upper()} if principal.sees(asked) else set()
    return None if principal.jurisdictions is None else set(principal.jurisdictions)


async def outside(ledger: Ledger, principal: Principal, accounts: set[str]) -> set[str]:
    """Which of these existing accounts the caller may not see (none when unrestricted)."""
    if principal.everywhere or not accounts:
        return set()
    async with ledger.engine.connect() as conn:
        found = await queries.accounts_by_id(conn, accounts)
    return {a for a, row in found.items() if not principal.sees(row["jurisdiction"])}


def may_open(principal: Principal, jurisdiction: str) -> None:
    if not principal.sees(jurisdiction):
        raise Forbidden(f"{principal.subject} may not open accounts in {jurisdiction}")
