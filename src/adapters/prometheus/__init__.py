"""Prometheus metrics of the core's work: model calls, the database pool, ingestions.

Every label value comes from a fixed set (providers, finish reasons, error codes, job
kinds) or a capped one (model names), so a deployment's series stay countable.
"""

from adapters.prometheus.chat_model import MeteredChatModel
from adapters.prometheus.jobs import PrometheusIngestionMeter
from adapters.prometheus.pool import watch_pool

__all__ = ["MeteredChatModel", "PrometheusIngestionMeter", "watch_pool"]
