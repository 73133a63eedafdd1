"""The outbox's figures as Prometheus gauges, read from the database at each scrape."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from notifications import selectors

logger = logging.getLogger(__name__)

GAUGES = {
    "pending": ("helpdesk_outbox_pending", "Emails waiting to be sent."),
    "oldest_pending_seconds": (
        "helpdesk_outbox_oldest_pending_seconds",
        "Age of the oldest email waiting to be sent, in seconds (0 when none waits).",
    ),
    "failed_last_hour": (
        "helpdesk_outbox_failed_last_hour",
        "Emails given up in the last hour.",
    ),
}


class OutboxCollector(Collector):
    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The gauges' names, without a query (the registry asks when the collector joins it)."""
        for name, documentation in GAUGES.values():
            yield GaugeMetricFamily(name, documentation)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The gauges, from one query; none while the database does not answer."""
        try:
            figures = dataclasses.asdict(selectors.outbox_health())
        except DatabaseError:
            logger.warning("Outbox metrics: the database does not answer", exc_info=True)
            return
        for field, (name, documentation) in GAUGES.items():
            yield GaugeMetricFamily(name, documentation, value=figures[field])


_collector: OutboxCollector | None = None


def register() -> None:
    """Adds the outbox's gauges to the default registry, once per process."""
    global _collector
    if _collector is None:
        from prometheus_client import REGISTRY

        _collector = OutboxCollector()
        REGISTRY.register(_collector)
