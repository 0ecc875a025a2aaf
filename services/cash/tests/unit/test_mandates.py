"""Mandates without I/O: given events, when a command, then events (or the rule broken)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cash.domain.errors import Conflict, InvalidMandate, MandateState
from cash.domain.mandates import (
    AmendMandate,
    CancelMandate,
    Details,
    Mandate,
    MandateAmended,
    MandateCancelled,
    MandateRegistered,
    RegisterMandate,
    decide,
    evolve,
    fold,
)

AT = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
IBAN = "FR1420041010050500013M02606"
NEW_IBAN = "NL91ABNA0417164300"


def register(currency: str = "EUR", **details: str | None) -> RegisterMandate:
    d = Details(**{"debtor_name": "Lyon Freight", "iban": IBAN, **details})
    return RegisterMandate("M-1", "ACC-1", currency, "SG", date(2026, 1, 15), d, "ana", "", AT)


def registered(currency: str = "EUR", **details: str | None) -> Mandate:
    state = fold(decide(register(currency, **details), None))
    assert state is not None
    return state


def test_a_sepa_mandate_is_registered_with_the_iban_in_compact_form() -> None:
    [event] = decide(register(iban="fr14 2004 1010 0505 0001 3m02 606"), None)
    assert isinstance(event, MandateRegistered)
    assert (event.scheme, event.details.iban, event.reason) == ("sepa_core", IBAN, "new mandate")
    state = evolve(None, event)
    assert (state.status, state.version, state.active) == ("active", 1, True)


@pytest.mark.parametrize(
    ("currency", "details", "field"),
    [
        ("EUR", {"iban": "FR1420041010050500013M02607"}, "iban"),  # checksum
        ("EUR", {"iban": None}, "iban"),
        ("EUR", {"iban": "GB33BUKB20201555555555", "bic": "COBAXXFF"}, "bic"),
        ("EUR", {"iban": "BR1800360305000010009795493C1"}, "iban"),  # not in the SEPA zone
        ("EUR", {"partner": "DBS-GIRO"}, "partner"),
        ("EUR", {"debtor_name": " "}, "debtor_name"),
        ("SGD", {"iban": None, "bank_account": "0721234567"}, "partner"),
        ("SGD", {"iban": None, "partner": "DBS-GIRO"}, "bank_account"),
        ("SGD", {"iban": None, "partner": "DBS-GIRO", "bank_account": "07/12"}, "bank_account"),
    ],
)
def test_bank_details_that_do_not_hold_are_refused_naming_the_field(
    currency: str, details: dict[str, str | None], field: str
) -> None:
    with pytest.raises(InvalidMandate) as e:
        decide(register(currency, **details), None)
    assert e.value.field == field


def test_a_partner_mandate_names_the_partner_and_the_account_there() -> None:
    m = registered("SGD", iban=None, partner="DBS-GIRO", bank_account="0721234567")
    assert (m.scheme, m.details.partner, m.details.bank_account) == (
        "partner",
        "DBS-GIRO",
        "0721234567",
    )


def test_registering_again_is_a_replay_and_other_terms_a_conflict() -> None:
    state = registered()
    assert decide(register(), state) == []
    with pytest.raises(Conflict):
        decide(register(debtor_name="Someone Else"), state)


def test_a_mandate_signed_after_it_is_registered_is_refused() -> None:
    late = RegisterMandate(
        "M-1", "ACC-1", "EUR", "SG", date(2026, 3, 1), Details("X", IBAN), "ana", "", AT
    )
    with pytest.raises(InvalidMandate) as e:
        decide(late, None)
    assert e.value.field == "signed_on"


def test_an_amendment_records_before_after_who_and_why() -> None:
    state = registered()
    [event] = decide(AmendMandate("M-1", {"iban": NEW_IBAN}, "bo", "new bank", AT), state)
    assert isinstance(event, MandateAmended)
    assert (event.before, event.after) == ({"iban": IBAN}, {"iban": NEW_IBAN})
    assert (event.actor, event.reason) == ("bo", "new bank")
    after = evolve(state, event)
    assert (after.details.iban, after.version) == (NEW_IBAN, 2)
    # the same amendment again changes nothing
    assert decide(AmendMandate("M-1", {"iban": NEW_IBAN}, "bo", "new bank", AT), after) == []


def test_an_amendment_needs_a_reason_and_known_fields() -> None:
    state = registered()
    with pytest.raises(InvalidMandate) as e:
        decide(AmendMandate("M-1", {"iban": NEW_IBAN}, "bo", " ", AT), state)
    assert e.value.field == "reason"
    with pytest.raises(InvalidMandate) as e:
        decide(AmendMandate("M-1", {"currency": "USD"}, "bo", "why", AT), state)
    assert e.value.field == "currency"


def test_a_cancelled_mandate_stays_cancelled() -> None:
    state = registered()
    [event] = decide(CancelMandate("M-1", "cy", "pays by transfer now", AT), state)
    assert isinstance(event, MandateCancelled)
    cancelled = evolve(state, event)
    assert (cancelled.status, cancelled.active) == ("cancelled", False)
    assert decide(CancelMandate("M-1", "cy", "again", AT), cancelled) == []
    with pytest.raises(MandateState):
        decide(AmendMandate("M-1", {"iban": NEW_IBAN}, "bo", "new bank", AT), cancelled)


def test_no_change_to_a_mandate_that_does_not_exist() -> None:
    with pytest.raises(MandateState):
        decide(CancelMandate("M-9", "cy", "why", AT), None)
