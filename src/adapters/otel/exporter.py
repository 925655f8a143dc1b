"""The tracer provider that sends spans to an OpenTelemetry collector over OTLP/HTTP."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

DEFAULT_SERVICE_NAME = "chatcore"
TRACES_PATH = "/v1/traces"


def otlp_tracer_provider(endpoint: str) -> TracerProvider:
    """Spans batched and sent to ``endpoint`` (the collector's OTLP/HTTP base URL, as
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` names it); the service is ``OTEL_SERVICE_NAME``,
    else chatcore. The SDK reads its other variables (sampler, headers, resource
    attributes) from the environment as usual."""
    provider = TracerProvider(resource=_resource())
    # The base URL's traces path, as the OTLP exporter specification derives it.
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + TRACES_PATH)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _resource() -> Resource:
    # The environment's attributes (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) win;
    # an attribute passed to Resource.create would override them instead.
    detected = Resource.create()
    if str(detected.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        return detected.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    return detected
