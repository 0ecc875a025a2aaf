"""Where events come from: the ledger's Kafka topic or its HTTP feed (same events, same order
per account)."""

from __future__ import annotations

from eventfeed.sources.base import Source
from eventfeed.sources.http import HttpFeedSource
from eventfeed.sources.kafka import KafkaSource

__all__ = ["HttpFeedSource", "KafkaSource", "Source"]
