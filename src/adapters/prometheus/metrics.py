"""The metrics themselves, registered once per process on prometheus-client's registry.

Gauges are ``livesum``: with several workers sharing a port (multi-process mode) a
scrape adds up the live processes' values.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# A local model answers in tens of milliseconds, a hosted one in a few tenths to a
# few seconds, an overloaded one in tens of seconds.
FIRST_TOKEN_BUCKETS = (
    0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0,
)  # fmt: skip

CHAT_REPLIES = Counter(
    "chatcore_chat_replies",
    "Chat replies, by how they ended (stop, length, cancelled, error).",
    ["provider", "model", "finish_reason"],
)
TIME_TO_FIRST_TOKEN = Histogram(
    "chatcore_model_time_to_first_token_seconds",
    "Seconds from asking a model to its first piece of text.",
    ["provider", "model"],
    buckets=FIRST_TOKEN_BUCKETS,
)
MODEL_TOKENS = Counter(
    "chatcore_model_tokens",
    "Tokens of chat replies, as the provider counted them (kind: prompt or completion).",
    ["provider", "model", "kind"],
)
MODEL_ERRORS = Counter(
    "chatcore_model_errors",
    "Failed model calls, by chatcore's stable llm_* error code.",
    ["provider", "model", "code"],
)
DB_POOL_SIZE = Gauge(
    "chatcore_db_pool_size",
    "Connections the database pool keeps (its size, overflow aside).",
    multiprocess_mode="livesum",
)
DB_POOL_CHECKED_OUT = Gauge(
    "chatcore_db_pool_checked_out",
    "Database connections in use.",
    multiprocess_mode="livesum",
)
DB_POOL_OVERFLOW = Gauge(
    "chatcore_db_pool_overflow",
    "Connections open beyond the pool's size (at max_overflow the pool is exhausted).",
    multiprocess_mode="livesum",
)
JOBS_IN_FLIGHT = Gauge(
    "chatcore_jobs_in_flight",
    "Background jobs handed over and not yet ended (waiting or running), by kind.",
    ["kind"],
    multiprocess_mode="livesum",
)
JOBS_ENDED = Counter(
    "chatcore_jobs_ended",
    "Background jobs ended, by kind and outcome (ready, failed, skipped, interrupted).",
    ["kind", "outcome"],
)
JOB_FAILURES = Counter(
    "chatcore_job_failures",
    "Background jobs that failed, by kind and reason.",
    ["kind", "reason"],
)
INGESTED_PAGES = Counter(
    "chatcore_ingested_pages",
    "Pages of documents ingested (made searchable).",
)
