"""Ingestion and re-indexing as jobs of the durable queue: queued in the transaction
that needs them, worked by any process, retried when a dependency is unavailable,
and, after the last attempt, the document ``failed`` with the reason."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from chatcore.documents.model import Document, DocumentId, IngestOutcome
from chatcore.documents.ports import IngestionMeter
from chatcore.documents.use_cases.ingestion import IngestDocument
from chatcore.documents.use_cases.reindex import ReindexDocuments
from chatcore.errors import Unavailable
from chatcore.jobs.model import Job
from chatcore.kernel import Clock, TenantId
from chatcore.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("chatcore.documents")

INGEST = "ingest"
REINDEX = "reindex"
RESUME_BATCH = 1_000
INTERRUPTED = IngestOutcome(status="interrupted")
UNAVAILABLE = IngestOutcome(status="failed", failure="unavailable")  # this attempt; retried
FAILED = IngestOutcome(status="failed", failure="error")


async def queue_ingestion(uow: UnitOfWork, document: Document, at: datetime) -> None:
    """Queue the document's ingestion in this transaction (once, however often asked)."""
    payload = {
        "tenant_id": str(document.tenant_id),
        "owner_id": str(document.owner_id),
        "document_id": str(document.id),
    }
    await uow.jobs.enqueue(INGEST, str(document.id), payload, run_at=at)


class IngestionJobs:
    """Runs ingestion jobs (a JobHandler), each attempt shown to the meter."""

    def __init__(
        self, uow: UnitOfWorkFactory, ingest: IngestDocument, meter: IngestionMeter | None = None
    ) -> None:
        self._uow, self._ingest, self._meter = uow, ingest, meter

    async def run(self, job: Job) -> None:
        """Ingest the job's document, if it is still waiting for it; raises
        Unavailable (a dependency is down) to have it retried."""
        document = await self._document(job)
        if document is None or document.status != "processing":
            return
        if self._meter is not None:
            self._meter.submitted()
        outcome = INTERRUPTED  # unless it gets further before the process stops
        try:
            outcome = await self._ingest(document)
        except Unavailable:
            outcome = UNAVAILABLE
            raise
        except Exception:
            outcome = FAILED
            raise
        finally:
            if self._meter is not None:
                self._meter.ended(outcome)

    async def give_up(self, job: Job, error: Exception) -> None:
        document = await self._document(job)
        if document is None:
            return
        if isinstance(error, Unavailable):
            reason = f"The {error.dependency} stayed unavailable; upload the file again later."
            await self._ingest.fail(document, reason, "unavailable")
        else:
            await self._ingest.fail(document, "The document could not be processed.", "error")

    async def _document(self, job: Job) -> Document | None:
        tenant_id = TenantId(uuid.UUID(job.payload["tenant_id"]))
        owner_id = uuid.UUID(job.payload["owner_id"])
        document_id = DocumentId(uuid.UUID(job.payload["document_id"]))
        async with self._uow(read_only=True) as uow:
            return await uow.documents.get(tenant_id, owner_id, document_id)


class ReindexJobs:
    """Runs the re-indexing job (a JobHandler): every chunk re-embedded by the
    configured embedder."""

    def __init__(self, reindex: ReindexDocuments) -> None:
        self._reindex = reindex

    async def run(self, job: Job) -> None:
        count = await self._reindex()
        log.info("Re-embedded %d chunk(s)", count)

    async def give_up(self, job: Job, error: Exception) -> None:
        log.error("Re-indexing gave up: %s (run `chatcore reindex` again)", error)


class QueueReindex:
    """Queue the re-embedding of every chunk by the configured embedder."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self) -> bool:
        """Whether it was queued (False: a re-indexing is queued already)."""
        async with self._uow() as uow:
            queued = await uow.jobs.enqueue(REINDEX, REINDEX, {}, run_at=self._clock.now())
            await uow.commit()
        return queued


class QueueUnfinishedIngestions:
    """Queue the ingestion of every document still ``processing`` (left by a version
    that ingested in memory, say); those queued already are left as they are."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def __call__(self) -> int:
        """How many documents are waiting for their ingestion."""
        async with self._uow() as uow:
            unfinished = await uow.documents.processing(RESUME_BATCH)
            for document in unfinished:
                await queue_ingestion(uow, document, self._clock.now())
            await uow.commit()
        return len(unfinished)
