"""The demo portfolio as a list of HTTP calls, planned from a seeded ``random.Random``.

Pure: no I/O, no clock (the last day of the year arrives as ``through``). Brokers with
commission agreements come first; :mod:`.customers` plans what each customer does.
"""

from __future__ import annotations

import random
from datetime import date

from console.demo import names
from console.demo.customers import account
from console.demo.model import Call, Portfolio, year_ending


def plan(*, seed: int, policies: int, through: date) -> Portfolio:
    """At least ``policies`` group policies (the last customer may hold one or two more).

    Each customer is drawn from its own generator, seeded by ``seed`` and its number, so a
    smaller portfolio is the start of a larger one: loading 200 and then 2,000 policies with
    the same seed adds customers and conflicts with nothing.
    """
    out = Portfolio(through=through, first_day=year_ending(through))
    brokers = _brokers(out, random.Random(seed))
    number = 0
    while out.policies < policies:
        number += 1
        rng = random.Random(f"{seed}:{number}")
        country = "SG" if rng.random() < 0.6 else "HK"
        held = rng.choice((1, 1, 1, 2, 2, 3))
        broker = rng.choice(brokers[country]) if rng.random() < 0.65 else None
        out.accounts.append(account(out, rng, number, country, held, broker))
        out.policies += held
    return out


def _brokers(out: Portfolio, rng: random.Random) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"SG": [], "HK": []}
    for country, listed in names.BROKERS.items():
        for i, name in enumerate(listed, start=1):
            broker_id = f"BRK-{country}-{i:02d}"
            found[country].append(broker_id)
            bank = {
                "account_holder": name,
                "country": country,
                "currency": "SGD" if country == "SG" else "HKD",
                "bank_code": f"{rng.randrange(7000, 7999)}" if country == "SG" else "004",
                "branch_code": f"{rng.randrange(1, 999):03d}",
                "account_number": f"{rng.randrange(10**9, 10**10)}",
            }
            out.brokers.append(
                Call(
                    "commission",
                    "/v1/brokers",
                    {
                        "broker_id": broker_id,
                        "name": name,
                        "jurisdiction": country,
                        "contact_email": f"accounts@{broker_id.lower()}.example",
                        "bank": bank,
                    },
                    "broker",
                )
            )
            first, renewal = rng.choice((("0.15", "0.075"), ("0.12", "0.06"), ("0.10", "0.05")))
            out.brokers.append(
                Call(
                    "commission",
                    f"/v1/brokers/{broker_id}/agreements",
                    {
                        "agreement_id": f"{broker_id}-STD",
                        "effective_from": "2000-01-01",
                        "basis": "collection",
                        "rates": [
                            {"product": "*", "first_year_rate": first, "renewal_rate": renewal}
                        ],
                    },
                    "agreement",
                )
            )
    return found
