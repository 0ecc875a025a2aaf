"""eventfeed: the one way the dunning and commission services consume the ledger's events.

See ``libs/eventfeed/README.md`` for a usage example.
"""

from __future__ import annotations

from collections.abc import Mapping

from eventfeed.consumer import (
    Backoff,
    BatchResult,
    Consumer,
    ConsumerStatus,
    Handler,
    RetryLater,
)
from eventfeed.deadletters import (
    DeadLetterList,
    DeadLetters,
    DeadLetterView,
    RetryResult,
    RetryView,
)
from eventfeed.event import LedgerEvent
from eventfeed.metrics import ConsumerMetrics
from eventfeed.replay import Reset, replay
from eventfeed.schema import Tables, create_tables_sql, drop_tables_sql
from eventfeed.sources import HttpFeedSource, KafkaSource, Source
from eventfeed.sources.kafka import LEDGER_TOPIC
from eventfeed.store import DeadLetter

__all__ = [
    "LEDGER_TOPIC",
    "Backoff",
    "BatchResult",
    "Consumer",
    "ConsumerMetrics",
    "ConsumerStatus",
    "DeadLetter",
    "DeadLetterList",
    "DeadLetterView",
    "DeadLetters",
    "Handler",
    "HttpFeedSource",
    "KafkaSource",
    "LedgerEvent",
    "Reset",
    "RetryLater",
    "RetryResult",
    "RetryView",
    "Source",
    "Tables",
    "create_tables_sql",
    "drop_tables_sql",
    "make_source",
    "replay",
]


def make_source(
    *,
    group_id: str,
    kafka_bootstrap_servers: str = "",
    kafka_topic: str = LEDGER_TOPIC,
    ledger_url: str = "http://127.0.0.1:8000",
    headers: Mapping[str, str] | None = None,
) -> Source:
    """Kafka when bootstrap servers are configured, else the ledger's HTTP feed (sending
    ``headers``: the consumer's credential)."""
    if kafka_bootstrap_servers:
        return KafkaSource(kafka_bootstrap_servers, group_id=group_id, topic=kafka_topic)
    return HttpFeedSource(ledger_url, headers=headers)
