"""JobHandlers that trace the jobs of the handlers they wrap."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from opentelemetry.trace import SpanKind, StatusCode, Tracer

from chatcore.jobs.model import Job
from chatcore.jobs.ports import JobHandler

KIND = "chatcore.job.kind"
ATTEMPT = "chatcore.job.attempt"
ERROR_TYPE = "error.type"


class TracedJobHandler:
    """A trace per job run, ``job <kind>``, the run's statements and model calls
    inside it: background work outside any request would otherwise go unseen."""

    def __init__(self, handler: JobHandler, tracer: Tracer) -> None:
        self._handler, self._tracer = handler, tracer

    async def run(self, job: Job) -> datetime | None:
        # The job's key and payload name documents and users: left out.
        with self._tracer.start_as_current_span(
            f"job {job.kind}",
            kind=SpanKind.CONSUMER,
            attributes={KIND: job.kind, ATTEMPT: job.attempts},
            record_exception=False,  # its message may quote a document
            set_status_on_exception=False,
        ) as span:
            try:
                return await self._handler.run(job)
            except Exception as exc:
                span.set_attribute(ERROR_TYPE, type(exc).__qualname__)
                span.set_status(StatusCode.ERROR)
                raise

    async def give_up(self, job: Job, error: Exception) -> None:
        await self._handler.give_up(job, error)


def traced_jobs(handlers: Mapping[str, JobHandler], tracer: Tracer) -> dict[str, JobHandler]:
    """``handlers``, each tracing its jobs."""
    return {kind: TracedJobHandler(handler, tracer) for kind, handler in handlers.items()}
