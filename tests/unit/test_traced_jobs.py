"""TracedJobHandler: a job's span, and a failure's, which names its kind alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from adapters.otel import traced_jobs
from chatcore.jobs.model import Job, JobId

JOB = Job(
    id=JobId(uuid.UUID(int=1)),
    kind="ingest",
    key="document-of-ada@example.test",
    payload={"document_id": "d-1"},
    attempts=2,
    run_at=datetime(2026, 1, 1, tzinfo=UTC),
)
LATER = datetime(2026, 1, 2, tzinfo=UTC)


class Handler:
    """Runs a job, or fails it with a message that quotes the document."""

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.given_up = fail, False

    async def run(self, job: Job) -> datetime | None:
        if self.fail:
            raise ValueError("cannot read 'Ada's secret diary.pdf'")
        return LATER

    async def give_up(self, job: Job, error: Exception) -> None:
        self.given_up = True


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


def wrapped(handler: Handler, spans: InMemorySpanExporter) -> Handler:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    traced = traced_jobs({"ingest": handler}, provider.get_tracer("test"))
    return traced["ingest"]  # type: ignore[return-value]


async def test_a_job_run_is_a_span_by_kind_and_attempt_without_its_key(
    spans: InMemorySpanExporter,
) -> None:
    handler = Handler()
    assert await wrapped(handler, spans).run(JOB) == LATER
    (span,) = spans.get_finished_spans()
    assert span.name == "job ingest"
    assert dict(span.attributes or {}) == {"chatcore.job.kind": "ingest", "chatcore.job.attempt": 2}


async def test_a_failed_run_is_an_error_span_that_quotes_nothing(
    spans: InMemorySpanExporter,
) -> None:
    handler = Handler(fail=True)
    traced = wrapped(handler, spans)
    with pytest.raises(ValueError, match="diary"):
        await traced.run(JOB)
    await traced.give_up(JOB, ValueError("x"))
    assert handler.given_up
    (span,) = spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None
    assert (span.attributes or {})["error.type"] == "ValueError"
    assert span.events == ()
