"""Direct-debit mandates: an account's standing permission to collect what it owes.

A mandate is event-sourced: :func:`decide` turns a command into events (nothing on a
replay), :func:`evolve` folds an event into the mandate. Every change records who made it
and why, so a change of payment method -- new bank account, a switch away from direct
debit -- can be told later.

Schemes, by the account's currency:

- ``sepa_core``: EUR; the debtor's IBAN (checked by ``schwifty``: checksum, length,
  national format, a country of the SEPA zone), a BIC when given; collected with a
  pain.008 file.
- ``partner``: any other currency; a payment partner (a bank's direct-debit service, a
  card gateway) collects from the debtor's account at that partner (an account number, or
  an IBAN); collected with the partner's CSV file.

An account has at most one active mandate (the application checks it against the store).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from cash.domain.errors import Conflict, InvalidMandate, MandateState

SEPA_CURRENCY = "EUR"
Scheme = Literal["sepa_core", "partner"]
Status = Literal["active", "cancelled"]
DETAILS = ("debtor_name", "iban", "bic", "partner", "bank_account")
_ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9\-]{4,34}")
_PARTNER = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


@dataclass(frozen=True)
class Details:
    """Whom to collect from and where."""

    debtor_name: str
    iban: str | None = None
    bic: str | None = None
    partner: str | None = None
    bank_account: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in DETAILS}


@dataclass(frozen=True)
class Mandate:
    mandate_id: str
    account_id: str
    currency: str
    jurisdiction: str
    scheme: Scheme
    signed_on: date
    details: Details
    status: Status = "active"
    version: int = 0

    @property
    def active(self) -> bool:
        return self.status == "active"


# Commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterMandate:
    mandate_id: str
    account_id: str
    currency: str
    jurisdiction: str
    signed_on: date
    details: Details
    actor: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class AmendMandate:
    """``changes``: the detail fields to change (an absent one keeps its value; ``None``
    clears an optional one)."""

    mandate_id: str
    changes: dict[str, str | None]
    actor: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class CancelMandate:
    mandate_id: str
    actor: str
    reason: str
    at: datetime


Command = RegisterMandate | AmendMandate | CancelMandate


# Events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MandateRegistered:
    mandate_id: str
    account_id: str
    currency: str
    jurisdiction: str
    scheme: Scheme
    signed_on: date
    details: Details
    actor: str
    reason: str
    recorded_at: datetime
    type: Literal["MandateRegistered"] = "MandateRegistered"


@dataclass(frozen=True)
class MandateAmended:
    """``before`` / ``after``: the changed detail fields only."""

    mandate_id: str
    before: dict[str, str | None]
    after: dict[str, str | None]
    actor: str
    reason: str
    recorded_at: datetime
    type: Literal["MandateAmended"] = "MandateAmended"


@dataclass(frozen=True)
class MandateCancelled:
    mandate_id: str
    actor: str
    reason: str
    recorded_at: datetime
    type: Literal["MandateCancelled"] = "MandateCancelled"


Event = MandateRegistered | MandateAmended | MandateCancelled


# Rules ---------------------------------------------------------------------------------


def scheme_of(currency: str) -> Scheme:
    return "sepa_core" if currency == SEPA_CURRENCY else "partner"


def _iban(text: str) -> str:
    try:
        iban = IBAN(text)
    except SchwiftyException as e:
        raise InvalidMandate(f"{text!r} is not a valid IBAN: {e}", field="iban") from None
    return str(iban.compact)


def _bic(text: str) -> str:
    try:
        return str(BIC(text).compact)
    except SchwiftyException as e:
        raise InvalidMandate(f"{text!r} is not a valid BIC: {e}", field="bic") from None


def checked(details: Details, currency: str) -> Details:
    """The details in canonical form (compact IBAN and BIC), or :class:`InvalidMandate`
    naming the field and the rule."""
    name = details.debtor_name.strip()
    if not 1 <= len(name) <= 70:
        raise InvalidMandate("the debtor's name has 1 to 70 characters", field="debtor_name")
    iban = _iban(details.iban) if details.iban else None
    bic = _bic(details.bic) if details.bic else None
    if scheme_of(currency) == "sepa_core":
        if iban is None:
            raise InvalidMandate("a SEPA (EUR) mandate needs the debtor's IBAN", field="iban")
        if not IBAN(iban).in_sepa_zone:
            raise InvalidMandate(f"{iban[:2]} is not in the SEPA zone", field="iban")
        if details.partner or details.bank_account:
            raise InvalidMandate(
                "a SEPA (EUR) mandate is collected by pain.008: no partner or bank_account",
                field="partner" if details.partner else "bank_account",
            )
        return Details(name, iban, bic)
    if not details.partner or not _PARTNER.fullmatch(details.partner):
        raise InvalidMandate(
            f"a {currency} mandate names the payment partner that collects it "
            "(letters, digits and . _ : -)",
            field="partner",
        )
    account = details.bank_account
    if account is not None and not _ACCOUNT_NUMBER.fullmatch(account):
        raise InvalidMandate(
            "the account number has 4 to 34 letters, digits or dashes", field="bank_account"
        )
    if account is None and iban is None:
        raise InvalidMandate(
            "a partner mandate needs the debtor's bank_account (or an IBAN)", field="bank_account"
        )
    return Details(name, iban, bic, details.partner, account)


def _reason(text: str) -> str:
    reason = text.strip()
    if not 1 <= len(reason) <= 500:
        raise InvalidMandate("say why, in 1 to 500 characters", field="reason")
    return reason


def decide(command: Command, state: Mandate | None) -> list[Event]:
    """The events ``command`` makes of the mandate ``state`` (None: none yet); an empty
    list when it is a replay of what already holds."""
    if isinstance(command, RegisterMandate):
        return _register(command, state)
    if state is None:
        raise MandateState(f"no mandate {command.mandate_id}", field="mandate_id")
    if isinstance(command, AmendMandate):
        return _amend(command, state)
    return _cancel(command, state)


def _register(c: RegisterMandate, state: Mandate | None) -> list[Event]:
    details = checked(c.details, c.currency)
    if state is not None:
        same = (state.account_id, state.signed_on, state.details) == (
            c.account_id,
            c.signed_on,
            details,
        )
        if same:
            return []
        raise Conflict(
            f"mandate {c.mandate_id} was registered before with other terms", field="mandate_id"
        )
    if c.signed_on > c.at.date():
        raise InvalidMandate("a mandate is signed before it is registered", field="signed_on")
    return [
        MandateRegistered(
            c.mandate_id,
            c.account_id,
            c.currency,
            c.jurisdiction,
            scheme_of(c.currency),
            c.signed_on,
            details,
            c.actor,
            c.reason.strip() or "new mandate",
            c.at,
        )
    ]


def _amend(c: AmendMandate, state: Mandate) -> list[Event]:
    reason = _reason(c.reason)
    unknown = sorted(set(c.changes) - set(DETAILS))
    if unknown:
        raise InvalidMandate(f"cannot amend {', '.join(unknown)}", field=unknown[0])
    if not state.active:
        raise MandateState(f"mandate {state.mandate_id} is cancelled", field="mandate_id")
    wanted = replace(state.details, **c.changes)  # type: ignore[arg-type]
    details = checked(wanted, state.currency)
    old, new = state.details.as_dict(), details.as_dict()
    changed = sorted(k for k in DETAILS if old[k] != new[k])
    if not changed:
        return []
    return [
        MandateAmended(
            state.mandate_id,
            {k: old[k] for k in changed},
            {k: new[k] for k in changed},
            c.actor,
            reason,
            c.at,
        )
    ]


def _cancel(c: CancelMandate, state: Mandate) -> list[Event]:
    reason = _reason(c.reason)
    if not state.active:
        return []
    return [MandateCancelled(state.mandate_id, c.actor, reason, c.at)]


def evolve(state: Mandate | None, event: Event) -> Mandate:
    if isinstance(event, MandateRegistered):
        return Mandate(
            event.mandate_id,
            event.account_id,
            event.currency,
            event.jurisdiction,
            event.scheme,
            event.signed_on,
            event.details,
            "active",
            1,
        )
    if state is None:
        raise MandateState(f"{event.type} before the mandate was registered")
    if isinstance(event, MandateAmended):
        details = replace(state.details, **event.after)  # type: ignore[arg-type]
        return replace(state, details=details, version=state.version + 1)
    return replace(state, status="cancelled", version=state.version + 1)


def fold(events: list[Event]) -> Mandate | None:
    state: Mandate | None = None
    for event in events:
        state = evolve(state, event)
    return state
