"""A span per database statement run inside a trace, from OpenTelemetry's SQLAlchemy
instrumentation."""

from __future__ import annotations

from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import __version__
from opentelemetry.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine


class _StatementsInTraces(EngineTracer):
    """The instrumentation's tracer, for statements with a span to belong to: those
    outside any (the job queue's poll every second, start-up) would each be a trace
    of their own, a steady stream of noise."""

    def _before_cur_exec(self, *args: Any) -> Any:
        if not trace.get_current_span().get_span_context().is_valid:
            _, _, statement, params, _, _ = args
            return statement, params
        return super()._before_cur_exec(*args)  # type: ignore[no-untyped-call]


def trace_statements(engine: AsyncEngine, tracer_provider: TracerProvider) -> None:
    """Trace the statements ``engine`` runs within a trace (their SQL with placeholders,
    never the values bound to them), each a child of the span current then."""
    # The instrumentation's EngineTracer, built directly for this one engine: its
    # SQLAlchemyInstrumentor is one per process, instruments a second engine not at
    # all, and patches create_engine for every engine made afterwards.
    tracer = tracer_provider.get_tracer(EngineTracer.__module__, __version__)
    # The connection counts it also records go to the process's meter provider, a
    # no-op unless the host configured one (chatcore's own metrics are Prometheus's).
    connections = metrics.get_meter(EngineTracer.__module__, __version__).create_up_down_counter(
        "db.client.connections.usage",
        unit="connections",
        description="Connections in the state the state attribute names.",
    )
    _StatementsInTraces(tracer, engine.sync_engine, connections)  # type: ignore[no-untyped-call]
