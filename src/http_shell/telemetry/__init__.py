"""Seeing inside a running server: request ids, the request log line, JSON logs,
Prometheus metrics (``/metrics``) and, when configured, OpenTelemetry traces."""
