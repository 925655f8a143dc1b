"""OpenTelemetry traces: a span per request named by its route template, a child span
per model call with the chat's token counts, and one per database statement; nothing
in them of a message, an email or a secret. Spans are caught in memory (the SDK's
in-memory exporter), on the tracer provider the container is given."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.otel import trace_statements
from http_shell.container import build_container
from tests.contract.http.chat_support import anonymous, bearer, chat, eventually
from tests.contract.http.conftest import ClientFactory, ServerFactory
from tests.support.app import app_on, app_settings
from tests.support.openai_stub import PROVIDER_SECRET, OpenAIStub
from tests.support.otlp_collector import OtlpCollector
from tests.support.signing_in import PASSWORD, sign_up
from tests.support.smtp_server import CapturingSmtpServer

TracedClient = AbstractAsyncContextManager[AsyncTestClient[Litestar]]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """The spans the app under test ends, in the order they end."""
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


@pytest.fixture
def provider(spans: InMemorySpanExporter) -> TracerProvider:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    return tracer_provider


@pytest.fixture
def traced(make_client: ClientFactory, provider: TracerProvider) -> Any:
    """Like ``make_client``, on an app whose spans go to ``spans``."""

    @asynccontextmanager
    async def open_client(**overrides: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
        async with make_client(tracer_provider=provider, **overrides) as client:
            yield client

    return open_client


def named(spans: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in spans.get_finished_spans() if span.name == name]


def children_of(spans: InMemorySpanExporter, parent: ReadableSpan) -> list[ReadableSpan]:
    return [
        span
        for span in spans.get_finished_spans()
        if span.parent is not None and span.parent.span_id == parent.context.span_id
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, sqlite_url: str) -> tuple[str, str]:
    """(backend, URL) of a fresh database of either kind."""
    if request.param == "sqlite":
        return "sqlite", sqlite_url
    request.getfixturevalue("postgres_engine")  # empties the tables after the test
    url: str = request.getfixturevalue("postgres_url")
    return "postgresql", url


async def test_a_chat_is_a_request_span_with_model_and_statement_spans_inside(
    traced: Any, spans: InMemorySpanExporter, database: tuple[str, str]
) -> None:
    backend, url = database
    async with traced(database_url=url) as client:
        token = await anonymous(client)
        spans.clear()
        events = await chat(client, token, "How do puffins raise their chicks?")
        await eventually(lambda: named(spans, "chat local"))
    usage = dict(events)["usage"]

    (request,) = named(spans, "POST /v1/chat")
    assert request.kind is SpanKind.SERVER
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/v1/chat"
    assert request.attributes["http.status_code"] == 200

    (model,) = named(spans, "chat local")
    assert model.parent is not None and model.parent.span_id == request.context.span_id
    assert model.kind is SpanKind.CLIENT
    assert dict(model.attributes or {}) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.system": "local",
        "gen_ai.provider.name": "local",
        "gen_ai.request.model": "local",
        "gen_ai.response.model": "local",
        "gen_ai.usage.input_tokens": usage["prompt_tokens"],
        "gen_ai.usage.output_tokens": usage["completion_tokens"],
        "gen_ai.response.finish_reasons": ("stop",),
    }

    statements = [
        span for span in children_of(spans, request) if "db.statement" in (span.attributes or {})
    ]
    texts = [str((span.attributes or {})["db.statement"]) for span in statements]
    assert any(text.startswith("INSERT INTO messages") for text in texts), texts
    assert all(span.attributes and span.attributes["db.system"] == backend for span in statements)


async def test_a_background_job_is_a_trace_with_its_statements_inside(
    traced: Any, spans: InMemorySpanExporter
) -> None:
    from tests.contract.http.test_documents import PAGES, until_done, upload
    from tests.support.pdfs import make_pdf

    async with traced() as client:
        token = await anonymous(client)
        document = (await upload(client, token, make_pdf(PAGES))).json()
        assert (await until_done(client, token, document["id"]))["status"] == "ready"
        await eventually(lambda: named(spans, "job ingest"))
    (job,) = named(spans, "job ingest")
    assert (job.kind, job.parent) == (SpanKind.CONSUMER, None)
    assert dict(job.attributes or {}) == {"chatcore.job.kind": "ingest", "chatcore.job.attempt": 1}
    texts = [str((span.attributes or {}).get("db.statement")) for span in children_of(spans, job)]
    assert any(text.startswith("INSERT INTO document_chunks") for text in texts), texts


async def test_a_statement_outside_any_trace_is_no_trace_of_its_own(
    sqlite_engine: AsyncEngine, provider: TracerProvider, spans: InMemorySpanExporter
) -> None:
    # As the job queue's poll, every second: a steady stream of one-span traces.
    trace_statements(sqlite_engine, provider)
    async with sqlite_engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        with provider.get_tracer("test").start_as_current_span("work") as work:
            await connection.execute(text("SELECT 2"))
    statements = [
        span for span in spans.get_finished_spans() if span is not named(spans, "work")[0]
    ]
    assert [(span.attributes or {})["db.statement"] for span in statements] == ["SELECT 2"]
    assert statements[0].parent is not None
    assert statements[0].parent.span_id == work.get_span_context().span_id


async def test_the_request_span_carries_the_request_id(
    traced: Any, spans: InMemorySpanExporter
) -> None:
    async with traced() as client:
        given = await client.get("/health", headers={"X-Request-ID": "trace-me-42"})
        generated = await client.get("/health")
    first, second = named(spans, "GET /health")
    assert first.attributes and first.attributes["chatcore.request_id"] == "trace-me-42"
    assert given.headers["x-request-id"] == "trace-me-42"
    assert second.attributes
    assert second.attributes["chatcore.request_id"] == generated.headers["x-request-id"]


async def test_a_request_with_a_traceparent_joins_the_callers_trace(
    traced: Any, spans: InMemorySpanExporter
) -> None:
    trace_id, caller = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    async with traced() as client:
        await client.get("/health", headers={"traceparent": f"00-{trace_id}-{caller}-01"})
    (span,) = named(spans, "GET /health")
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None and format(span.parent.span_id, "016x") == caller


async def test_a_span_is_named_by_the_route_template_never_the_path(
    traced: Any, spans: InMemorySpanExporter
) -> None:
    missing = uuid.uuid4()
    async with traced() as client:
        token = await anonymous(client)
        spans.clear()
        dialog = await client.get(f"/v1/dialogs/{missing}", headers=bearer(token))
        unknown = await client.get(f"/no/such/{missing}")
        odd = await client.request("BREW", f"/no/such/{missing}")
    assert (dialog.status_code, unknown.status_code) == (404, 404)
    assert odd.status_code in (404, 405)

    requests = [span for span in spans.get_finished_spans() if span.kind is SpanKind.SERVER]
    assert [span.name for span in requests] == [
        "GET /v1/dialogs/{dialog_id}",
        "GET",  # no route took it: the method alone, as OpenTelemetry names such spans
        "HTTP",  # and a method outside the standard ones
    ]
    assert all(str(missing) not in span.name for span in requests)
    unmatched = requests[1].attributes or {}
    assert "http.route" not in unmatched
    assert unmatched["http.status_code"] == 404


async def test_spans_hold_no_message_email_password_token_or_api_key(
    traced: Any, spans: InMemorySpanExporter, smtp: CapturingSmtpServer
) -> None:
    email = "ada.secret@example.test"
    message = "my passport number is X1234-traced"
    async with traced(smtp_host=smtp.host, smtp_port=str(smtp.port), smtp_starttls="false") as c:
        confirmation = await sign_up(c, smtp, email)
        confirmed = await c.get("/v1/auth/confirm", params={"token": confirmation})
        assert confirmed.status_code == 200, confirmed.text
        login = await c.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        access = login.json()["access_token"]
        events = await chat(c, access, message)
        c.cookies.clear()
        made = await c.post("/v1/api-keys", json={"name": "traced"}, headers=bearer(access))
        assert made.status_code == 201, made.text
        key = made.json()["key"]
        asked = {"model": "chatcore", "messages": [{"role": "user", "content": message + "!"}]}
        completed = await c.post("/v1/chat/completions", json=asked, headers=bearer(key))
        assert completed.status_code == 200, completed.text
        await eventually(lambda: len(named(spans, "chat local")) == 2)
    reply = "".join(data["text"] for kind, data in events if kind == "delta")
    (completion,) = completed.json()["choices"]

    (confirm,) = named(spans, "GET /v1/auth/confirm")
    assert confirm.attributes and confirm.attributes["http.status_code"] == 200
    secrets = {email, message, reply, PASSWORD, confirmation, access, key}
    secrets.add(completion["message"]["content"])
    for span in spans.get_finished_spans():
        shown = [span.name, *map(str, (span.attributes or {}).values())]
        for event in span.events:
            shown += [event.name, *map(str, (event.attributes or {}).values())]
        leaked = [secret for secret in secrets for text in shown if secret in text]
        assert not leaked, (span.name, leaked)


async def test_a_socket_is_one_span_with_a_model_span_per_reply(
    make_server: ServerFactory, provider: TracerProvider, spans: InMemorySpanExporter
) -> None:
    from tests.contract.http.test_chat_ws import ask, open_socket

    async with make_server(tracer_provider=provider) as live:
        token = await anonymous(live.client)
        async with open_socket(live, token=token) as socket:
            frames = await ask(socket, "What can you do?")
        await eventually(lambda: named(spans, "WEBSOCKET /v1/ws/chat"))
    (connection,) = named(spans, "WEBSOCKET /v1/ws/chat")
    assert connection.kind is SpanKind.SERVER
    (model,) = named(spans, "chat local")
    assert model.parent is not None and model.parent.span_id == connection.context.span_id
    usage = next(frame for frame in frames if frame["type"] == "usage")
    assert (
        model.attributes
        and model.attributes["gen_ai.usage.output_tokens"] == (usage["completion_tokens"])
    )


async def test_a_failed_model_call_is_an_error_span_with_its_code(
    make_server: ServerFactory,
    provider: TracerProvider,
    spans: InMemorySpanExporter,
    openai_stub: OpenAIStub,
) -> None:
    openai_stub.configure(errors=[401])
    async with make_server(
        tracer_provider=provider, llm_provider="openai", openai_base_url=openai_stub.base_url
    ) as live:
        token = await anonymous(live.client)
        events = await chat(live.client, token, "Anyone there?")
        await eventually(lambda: named(spans, "chat gpt-4o-mini"))
    assert [kind for kind, _ in events] == ["meta", "error"]
    (model,) = named(spans, "chat gpt-4o-mini")
    attributes = model.attributes or {}
    assert attributes["gen_ai.provider.name"] == "openai"
    assert attributes["error.type"] == "llm_auth_failed"
    assert "gen_ai.usage.input_tokens" not in attributes
    assert model.status.status_code is StatusCode.ERROR
    assert PROVIDER_SECRET not in str(model.status.description)


@pytest.mark.parametrize(("service", "expected"), [(None, "chatcore"), ("chat-eu", "chat-eu")])
async def test_the_configured_endpoint_receives_the_spans_over_otlp(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    service: str | None,
    expected: str,
) -> None:
    if service is not None:
        monkeypatch.setenv("OTEL_SERVICE_NAME", service)
    with OtlpCollector() as collector:
        settings = msgspec.structs.replace(
            app_settings(sqlite_url, tmp_path), otlp_endpoint=collector.endpoint + "/"
        )
        container = build_container(settings)
        try:
            async with AsyncTestClient(app_on(settings, container)) as client:
                assert (await client.get("/health")).status_code == 200
            # Stopping the app sends what is batched.
            assert {path for path, _ in collector.received} == {"/v1/traces"}
            assert "GET /health" in collector.span_names()
            assert collector.service_names() == {expected}
        finally:
            tracer_provider = container.adapters.tracer_provider()
            assert isinstance(tracer_provider, TracerProvider)
            tracer_provider.shutdown()


def test_without_the_endpoint_no_opentelemetry_module_is_imported(
    sqlite_url: str, tmp_path: Path
) -> None:
    # In a process of its own: this one has OpenTelemetry loaded by the tests above.
    script = f"""
import json, sys
from litestar.testing import TestClient
from http_shell.app import create_app
from tests.support.app import app_settings
from pathlib import Path

app = create_app(app_settings({sqlite_url!r}, Path({str(tmp_path)!r})))
with TestClient(app) as client:
    assert client.get("/health").status_code == 200
    assert client.post("/v1/sessions").status_code == 201
loaded = [name for name in sys.modules if name.startswith(("opentelemetry", "adapters.otel"))]
print(json.dumps([loaded, sys.modules.get("http_shell.telemetry.traces") is None]))
"""
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout.splitlines()[-1]) == [[], True]
