"""Settlement: statements, negative balances carried forward, reruns, exports, payout, replay."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook  # type: ignore[import-untyped]

from commission.adapters.postgres.books import reset_derived
from commission.bootstrap import build
from eventfeed import replay

from .conftest import World, user


async def _history(world: World) -> tuple[str, str]:
    """Nov: +150 (paid out); Dec: reversal -150 (carried); Jan: +300 and a late Nov payment."""
    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.15", "0.15")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "I1", [("1000.00", 1)], "2026-11-01")
    pay = await world.pay(acc, "P1", "1000.00", "2026-11-02", inv)
    await world.sync()
    await world.settle("2026-11")
    await world.call(
        world.api,
        f"/v1/brokers/{broker}/statements/2026-11/paid",
        {"reference": "BANK-REF-1", "paid_on": "2026-12-01"},
    )
    await world.call(
        world.ledger,
        f"/v1/accounts/{acc}/payments/{pay}/reversal",
        {"reason": "bounced", "reversed_on": "2026-12-05"},
    )
    await world.sync()
    await world.settle("2026-12")
    inv2 = await world.invoice(acc, "I2", [("2000.00", 1)], "2027-01-03")
    await world.pay(acc, "P2", "2000.00", "2027-01-04", inv2)
    await world.pay(acc, "P3", "1000.00", "2026-11-28", inv)  # back-dated into a settled month
    await world.sync()
    await world.settle("2027-01")
    return broker, acc


async def test_a_negative_statement_is_carried_forward_into_the_next(world: World) -> None:
    broker, _ = await _history(world)
    nov = await world.statement(broker, "2026-11")
    dec = await world.statement(broker, "2026-12")
    jan = await world.statement(broker, "2027-01")
    assert (nov["accruals"], nov["net_payable"], nov["paid"]["reference"]) == (
        "150.00",
        "150.00",
        "BANK-REF-1",
    )
    assert (
        dec["opening_balance"],
        dec["clawbacks"],
        dec["net"],
        dec["net_payable"],
        dec["carried_forward"],
    ) == ("0.00", "150.00", "-150.00", "0.00", "-150.00")
    # January: the carried -150, the January accrual and the late November payment
    assert (jan["opening_balance"], jan["accruals"], jan["net_payable"]) == (
        "-150.00",
        "450.00",
        "300.00",
    )
    assert len(jan["entries"]) == 2


async def test_settling_again_changes_nothing_and_an_earlier_period_is_refused(
    world: World,
) -> None:
    broker, acc = await _history(world)
    before = await world.statement(broker, "2026-12")
    inv = await world.invoice(acc, "I9", [("100.00", 1)], "2026-12-02")
    await world.pay(acc, "P9", "100.00", "2026-12-03", inv)
    await world.sync()
    again = await world.api.post("/v1/settlements", json={"period": "2026-12"})
    assert again.status_code == 201  # as the first run answered (and as the ledger replays)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await world.statement(broker, "2026-12") == before
    early = await world.api.post("/v1/settlements", json={"period": "2026-10"})
    assert early.status_code == 422
    assert early.headers["content-type"] == "application/problem+json"
    assert (early.json()["rule"], early.json()["field"]) == ("period-order", "period")
    repaid = await world.api.post(
        f"/v1/brokers/{broker}/statements/2026-11/paid",
        json={"reference": "OTHER", "paid_on": "2026-12-02"},
    )
    assert (repaid.status_code, repaid.json()["field"]) == (422, "reference")


async def test_statement_exports_and_payout_file(world: World) -> None:
    broker, _ = await _history(world)
    r = await world.api.get(f"/v1/brokers/{broker}/statements/2027-01", params={"format": "csv"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:4] == ["broker_id", "period", "currency", "date"]
    assert {len(row) for row in rows} == {len(rows[0])}  # totals sit in the amount column
    assert [row[-1] for row in rows[1:3]] == ["150.00", "300.00"]  # by date
    assert rows[-2][4:5] == ["net payable"]
    assert rows[-2][-1] == "300.00"

    x = await world.api.get(f"/v1/brokers/{broker}/statements/2027-01", params={"format": "xlsx"})
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(x.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    labels = {row[0]: row for row in values if row and isinstance(row[0], str)}
    assert str(labels["Net payable"][12]) == "300"
    assert labels["Total"][12].startswith("=SUM(")
    assert ws.cell(6, 13).number_format == "#,##0.00"

    payout = await world.api.get("/v1/settlements/2027-01/payout-file")
    lines = list(csv.DictReader(io.StringIO(payout.text)))
    mine = [p for p in lines if p["broker_id"] == broker]
    assert [(p["account_number"], p["bank_code"], p["amount"]) for p in mine] == [
        ("1234567890", "7171", "300.00")
    ]
    paid_nov = await world.api.get("/v1/settlements/2026-11/payout-file")
    assert broker not in paid_nov.text  # paid statements are not paid twice


async def test_the_payout_file_waits_for_approved_first_bank_details(world: World) -> None:
    broker = await world.broker(approve=False)
    await world.agreement(broker, "AG", "2026-01-01", "0.15", "0.15")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "I1", [("1000.00", 1)], "2026-11-01")
    await world.pay(acc, "P1", "1000.00", "2026-11-02", inv)
    await world.sync()
    await world.settle("2026-11")
    assert (await world.statement(broker, "2026-11"))["net_payable"] == "150.00"
    payout = await world.api.get("/v1/settlements/2026-11/payout-file")
    assert broker not in payout.text
    approve = f"/v1/brokers/{broker}/bank-detail-changes/{broker}:initial/approve"
    await world.call(world.api, approve, None, headers=user("checker"))
    payout = await world.api.get("/v1/settlements/2026-11/payout-file")
    mine = [p for p in csv.DictReader(io.StringIO(payout.text)) if p["broker_id"] == broker]
    assert [(p["account_number"], p["amount"]) for p in mine] == [("1234567890", "150.00")]


async def test_replay_from_position_zero_gives_identical_accruals(world: World) -> None:
    broker, _ = await _history(world)
    entries = (await world.accruals(broker))["entries"]
    statements = [await world.statement(broker, p) for p in ("2026-11", "2026-12", "2027-01")]
    # `commission replay` on a service that consumes Kafka still reads the HTTP feed from 0
    # (the group's offsets would resume where the live consumer is)
    kafka_settings = world.service.settings.model_copy(
        update={"kafka_bootstrap_servers": "kafka.invalid:9092"}
    )
    on_kafka = build(kafka_settings, feed_client=world.ledger)
    try:
        assert on_kafka.consumer.source.kind == "kafka"
        rebuilding = on_kafka.replay_consumer()
        assert rebuilding.source.kind == "http"
        handled = await replay(rebuilding, reset_derived, max_seconds=30)
    finally:
        await on_kafka.close()
    assert handled > 0
    assert (await world.accruals(broker))["entries"] == entries
    assert [await world.statement(broker, p) for p in ("2026-11", "2026-12", "2027-01")] == (
        statements
    )
