"""OpenTelemetry traces of the core's work: a span per model call (the GenAI semantic
conventions), per database statement and per background job, exported over OTLP.

Imported only when traces are configured (``OTEL_EXPORTER_OTLP_ENDPOINT``), so that a
deployment without them loads no OpenTelemetry module at all.
"""

from adapters.otel.chat_model import TracedChatModel
from adapters.otel.exporter import otlp_tracer_provider
from adapters.otel.jobs import TracedJobHandler, traced_jobs
from adapters.otel.statements import trace_statements

__all__ = [
    "TracedChatModel",
    "TracedJobHandler",
    "otlp_tracer_provider",
    "trace_statements",
    "traced_jobs",
]
