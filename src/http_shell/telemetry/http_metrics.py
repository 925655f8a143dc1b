"""The HTTP layer's metrics: requests and their latency, and the streams open."""

from __future__ import annotations

from prometheus_client import Gauge, Histogram, disable_created_metrics

# A `_created` series beside every counter and histogram doubles the series for a
# timestamp Prometheus itself does not use.
disable_created_metrics()  # type: ignore[no-untyped-call]

# From a cached read to a long upload; a stream's whole length lands in the last ones.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Methods a route can have; any other (a client may send any token) is "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_DURATION = Histogram(
    "chatcore_http_request_duration_seconds",
    "HTTP requests (the _count) and their seconds until the response ended (a stream's "
    "whole length), by route template, method and status.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
STREAMS_OPEN = Gauge(
    "chatcore_streams_open",
    "Streams open now: SSE responses (kind sse) and WebSocket connections (websocket).",
    ["kind"],
    multiprocess_mode="livesum",
)


class HttpMetrics:
    """Records requests; each label set's child is looked up once (the labels come
    from fixed sets, so the cache stays as small as the series)."""

    def __init__(self) -> None:
        self._durations: dict[tuple[str, str, int], Histogram] = {}
        self.sse_open = STREAMS_OPEN.labels("sse")
        self.websockets_open = STREAMS_OPEN.labels("websocket")

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """One request ended."""
        key = (route, method if method in METHODS else "other", status)
        child = self._durations.get(key)
        if child is None:
            child = self._durations[key] = REQUEST_DURATION.labels(key[0], key[1], str(status))
        child.observe(seconds)
