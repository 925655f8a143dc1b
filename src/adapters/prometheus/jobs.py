"""Background jobs in flight and how they end, as this process works them from the
durable queue: each attempt at a document's ingestion (a retried one counts again)."""

from __future__ import annotations

from typing import get_args

from adapters.prometheus.metrics import (
    INGESTED_PAGES,
    JOB_FAILURES,
    JOBS_ENDED,
    JOBS_IN_FLIGHT,
)
from chatcore.documents.model import IngestFailure, IngestOutcome

INGEST_DOCUMENT = "ingest_document"


class PrometheusIngestionMeter:
    """An IngestionMeter on prometheus-client's registry."""

    def __init__(self) -> None:
        self._in_flight = JOBS_IN_FLIGHT.labels(INGEST_DOCUMENT)
        for reason in get_args(IngestFailure):  # at zero from the start, for rate()
            JOB_FAILURES.labels(INGEST_DOCUMENT, reason)

    def submitted(self) -> None:
        self._in_flight.inc()

    def ended(self, outcome: IngestOutcome) -> None:
        self._in_flight.dec()
        JOBS_ENDED.labels(INGEST_DOCUMENT, outcome.status).inc()
        if outcome.failure is not None:
            JOB_FAILURES.labels(INGEST_DOCUMENT, outcome.failure).inc()
        INGESTED_PAGES.inc(outcome.pages)
