"""The documents' background work: ingestions, a few at a time.

Tasks are referenced until done (the event loop keeps only weak references). At
start-up the ingestions a stopped process left unfinished are taken up again; at
shutdown the running ones are cancelled, to be taken up at the next start.
"""

from __future__ import annotations

import asyncio
import logging

from chatcore.documents.model import Document, DocumentId, IngestOutcome
from chatcore.documents.ports import IngestionMeter
from chatcore.documents.use_cases.ingestion import IngestDocument
from chatcore.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("chatcore.documents")

RESUME_BATCH = 1_000
INTERRUPTED = IngestOutcome(status="interrupted")
FAILED = IngestOutcome(status="failed", failure="error")


class DocumentWorker:
    """Runs ingestions in the background (an IngestionScheduler)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        ingest: IngestDocument,
        *,
        concurrency: int = 2,
        meter: IngestionMeter | None = None,
    ) -> None:
        self._uow, self._ingest, self._meter = uow, ingest, meter
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[DocumentId, asyncio.Task[None]] = {}

    def submit(self, document: Document) -> None:
        """Ingest the document soon, unless it is being ingested; returns at once."""
        if document.id in self._tasks:
            return
        if self._meter is not None:
            self._meter.submitted()
        task = asyncio.create_task(self._run(document), name=f"ingest {document.id}")
        self._tasks[document.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(document.id, None))

    async def resume(self) -> int:
        """Take up the ingestions left unfinished; how many there were."""
        async with self._uow(read_only=True) as uow:
            unfinished = await uow.documents.processing(RESUME_BATCH)
        for document in unfinished:
            self.submit(document)
        if unfinished:
            log.info("Resuming the ingestion of %d document(s)", len(unfinished))
        return len(unfinished)

    async def idle(self) -> None:
        """Wait until no ingestion is running."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel the running ingestions and wait for them to end."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, document: Document) -> None:
        outcome = INTERRUPTED  # unless it gets further before the process stops
        try:
            async with self._slots:
                try:
                    outcome = await self._ingest(document)
                except Exception:
                    # Left ``processing`` (the database failed too): the next start retries.
                    log.exception("Ingesting document %s failed", document.id)
                    outcome = FAILED
        finally:
            if self._meter is not None:
                self._meter.ended(outcome)
