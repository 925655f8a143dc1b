"""How big and how long: the full benchmark and the quick one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Profile:
    """Sizes and durations of one benchmark run."""

    name: str
    rounds: int  # interleaved rounds per comparison (A B A B ...)
    warmup_seconds: float
    load_seconds: float  # one load run of scenarios 1, 2 and 6
    connections: int  # keep-alive connections of one load run
    chat_deltas: int  # deltas per stream in scenario 3
    chat_concurrency: int
    idle_streams: int  # scenario 4
    idle_seconds: int
    idle_rounds: int
    search_chunks_postgres: int  # scenario 5
    search_chunks_sqlite: int
    search_queries: int
    logins: int  # scenario 6
    login_window_seconds: float  # shorter than a burst of logins takes
    pdf_pages: int  # scenario 7
    ingestion_rounds: int


FULL = Profile(
    name="full",
    rounds=3,
    warmup_seconds=1.0,
    load_seconds=3.0,
    connections=32,
    chat_deltas=2000,
    chat_concurrency=64,
    idle_streams=2000,
    idle_seconds=20,
    idle_rounds=3,
    search_chunks_postgres=100_000,
    search_chunks_sqlite=10_000,
    search_queries=200,
    logins=50,
    login_window_seconds=6.0,
    pdf_pages=200,
    ingestion_rounds=3,
)

QUICK = Profile(
    name="quick",
    rounds=2,
    warmup_seconds=0.5,
    load_seconds=2.0,
    connections=32,
    chat_deltas=250,
    chat_concurrency=64,
    idle_streams=500,
    idle_seconds=6,
    idle_rounds=1,
    search_chunks_postgres=5_000,
    search_chunks_sqlite=10_000,
    search_queries=20,
    logins=16,
    login_window_seconds=3.0,
    pdf_pages=200,
    ingestion_rounds=1,
)
