"""Prometheus metrics of consumers (label ``consumer``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class ConsumerMetrics:
    """Pass the service's registry to expose these on its ``/metrics``; several consumers
    of one service share one instance."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.processed = Counter(
            "eventfeed_events_processed_total",
            "Events handled (incl. dead-lettered)",
            ["consumer"],
            registry=r,
        )
        self.duplicates = Counter(
            "eventfeed_events_duplicate_total",
            "Redelivered events skipped",
            ["consumer"],
            registry=r,
        )
        self.gaps = Counter(
            "eventfeed_events_gap_total",
            "Events skipped because an earlier version of their stream had not arrived",
            ["consumer"],
            registry=r,
        )
        self.failures = Counter(
            "eventfeed_batch_failures_total",
            "Batches rolled back and retried",
            ["consumer"],
            registry=r,
        )
        self.dead_letters = Gauge(
            "eventfeed_dead_letters", "Unresolved dead letters", ["consumer"], registry=r
        )
        self.lag = Gauge(
            "eventfeed_lag_events",
            "Events published but not yet fetched",
            ["consumer"],
            registry=r,
        )
        self.position = Gauge(
            "eventfeed_position",
            "Global position of the last processed event",
            ["consumer"],
            registry=r,
        )
