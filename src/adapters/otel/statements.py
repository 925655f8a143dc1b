"""A span per database statement, from OpenTelemetry's SQLAlchemy instrumentation."""

from __future__ import annotations

from opentelemetry import metrics
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.instrumentation.sqlalchemy.version import __version__
from opentelemetry.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine


def trace_statements(engine: AsyncEngine, tracer_provider: TracerProvider) -> None:
    """Trace every statement ``engine`` runs (its SQL with placeholders, never the
    values bound to them), as a child of the span current when it runs."""
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
    EngineTracer(tracer, engine.sync_engine, connections)  # type: ignore[no-untyped-call]
