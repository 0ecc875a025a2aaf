"""An account climbs the ladder: reminder and final notice by SMTP, the fee posted to the
ledger, suspension of only the overdue policy, reinstatement when it is paid, and the
daily run done twice."""

from __future__ import annotations

from .conftest import Inbox, Stack, invoice, open_account, pay


async def test_ladder_with_smtp_fee_scoped_suspension_and_reinstatement(
    smtp_stack: tuple[Stack, Inbox],
) -> None:
    s, inbox = smtp_stack
    await open_account(s, "ACME")
    await invoice(s, "ACME", "INV-A", "1200.00", due="2026-01-31", policy_id="POL-A")
    await invoice(s, "ACME", "INV-B", "800.00", due="2026-03-15", policy_id="POL-B")

    first = await s.run("2026-02-01")
    assert first["actions"] == {"DunningLevelReached": 1, "ReminderSent": 1}
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "ap@customer.example"
    assert "Payment reminder" in mail["Subject"]
    body = mail.get_payload()
    assert "INV-A" in body
    assert "INV-B" not in body

    again = await s.run("2026-02-01")  # the daily run twice: acts once
    assert again["run_number"] == 2
    assert again["actions"] == {}
    assert len(inbox.messages) == 1

    final = await s.run("2026-02-15")
    assert final["actions"] == {"DunningLevelReached": 1, "FinalNoticeSent": 1, "FeeCharged": 1}
    assert final["delivered"] == {"notices": 1, "fees": 1, "failures": 0}
    assert "FINAL NOTICE" in inbox.messages[1]["Subject"]
    fee = (await s.view("ACME"))["fees"][0]
    assert (fee["amount"], fee["status"]) == ("25.00", "posted")
    ledger_items = (await s.ledger.get("/v1/accounts/ACME/invoices")).json()["invoices"]
    debit = [i for i in ledger_items if i["invoice_id"] == fee["adjustment_id"]]
    assert debit
    assert debit[0]["amount"] == "25.00"
    assert (await s.run("2026-02-15"))["actions"] == {}

    suspend = await s.run("2026-03-02")
    assert suspend["actions"] == {"DunningLevelReached": 1, "ServiceSuspended": 1}
    view = await s.view("ACME")
    assert view["level"] == 3
    assert view["suspended_policies"] == ["POL-A"]  # POL-B's invoice is not overdue

    await pay(s, "ACME", "PAY-1", "1200.00", on="2026-03-05", invoice_id="INV-A")
    view = await s.view("ACME")  # reassessed on the payment event, no run needed
    assert view["suspended_policies"] == []
    history = [h["type"] for h in view["history"]]
    assert history[-2:] == ["DunningLevelLowered", "ServiceReinstated"]
    assert view["level"] == 2  # the unpaid fee (due 15 Feb) keeps the account in dunning
    reinstated = view["history"][-1]["data"]
    assert reinstated["policy_id"] == "POL-A"
    assert len(inbox.messages) == 2


async def test_notices_go_to_the_outbox_in_the_customers_language(stack: Stack) -> None:
    await open_account(stack, "HK-1", jurisdiction="HK", currency="HKD", language="zh")
    await invoice(stack, "HK-1", "INV-HK", "3000.00", due="2026-01-31", policy_id="HK-POL")
    result = await stack.run("2026-02-01")
    assert result["actions"]["ReminderSent"] == 1
    files = list((stack.outbox / "HK-1").glob("*.eml"))
    assert len(files) == 1
    import email
    from email.policy import default

    msg = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert "付款提醒" in str(msg["Subject"])
    text = msg.get_body().get_content()  # type: ignore[union-attr]
    assert "INV-HK" in text
    assert "HKD 3000.00" in text
