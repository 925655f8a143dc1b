"""OpenTelemetry traces of the core's work: a span per model call (the GenAI semantic
conventions) and per database statement, exported over OTLP.

Imported only when traces are configured (``OTEL_EXPORTER_OTLP_ENDPOINT``), so that a
deployment without them loads no OpenTelemetry module at all.
"""

from adapters.otel.chat_model import TracedChatModel
from adapters.otel.exporter import otlp_tracer_provider
from adapters.otel.statements import trace_statements

__all__ = ["TracedChatModel", "otlp_tracer_provider", "trace_statements"]
