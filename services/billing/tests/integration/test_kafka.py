"""Billing's events reach receivables.billing.v1 once each, in order, keyed by policy."""

from __future__ import annotations

from uuid import uuid4

from devstack.kafka import KafkaBroker
from devstack.pytest_plugin import DatabaseFactory
from devstack.testing import read_topic
from eventfeed.envelope import from_kafka
from ledger.testing import InProcessLedger
from servicekit.auth import BILLING_CLERK

from .conftest import IDENTITY, make_world


async def test_policy_events_are_published_once_with_who_and_why(
    make_database: DatabaseFactory,
    billing_template: str,
    ledger: InProcessLedger,
    kafka_broker: KafkaBroker,
) -> None:
    topic = f"receivables.billing.v1.{uuid4().hex[:8]}"
    async for world in make_world(
        make_database,
        billing_template,
        ledger.client,
        kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
        kafka_topic=topic,
        kafka_idempotent_producer=False,
    ):
        policy = await world.policy()
        await world.post(
            f"/v1/policies/{policy}/members",
            {
                "members": [{"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}],
                "reason": "new joiner",
            },
            headers=IDENTITY.headers(BILLING_CLERK, subject="clerk-7"),
        )
        await world.run("2026-01-01")
        publisher = world.service.publisher
        assert publisher is not None
        assert await publisher.publish_pending() == 3
        assert await publisher.publish_pending() == 0
        records = await read_topic(kafka_broker.bootstrap_servers, topic, 3)
        got = [from_kafka(r.key, r.value, r.headers) for r in records]
        assert [e.type for e in got] == ["PolicyCreated", "MemberEnrolled", "DocumentBilled"]
        assert {e.account_id for e in got} == {policy}
        assert [e.version for e in got] == [1, 2, 3]
        assert (got[1].actor, got[1].data["reason"]) == ("clerk-7", "new joiner")
        assert got[2].data["document_id"] == f"{policy}-20260101"
