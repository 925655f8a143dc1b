"""Fixtures shared by every test: the real databases, started once per run."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engine import create_engine
from adapters.sql.migrate import migrate
from tests.support.databases import (
    migrated_sqlite_template,
    sqlite_copy,
    start_postgres,
    truncate_all,
)
from tests.support.s3_server import S3Server, running_s3_server


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A migrated Postgres for the whole run; never skipped."""
    return start_postgres()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """An S3-compatible server (moto) on loopback for the whole run; never skipped."""
    with running_s3_server() as server:
        yield server


@pytest_asyncio.fixture(scope="session")
async def _migrated_postgres(postgres_url: str) -> str:
    engine = create_engine(postgres_url)
    await migrate(engine)
    await engine.dispose()
    return postgres_url


@pytest_asyncio.fixture
async def postgres_engine(_migrated_postgres: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test Postgres, emptied after the test."""
    engine = create_engine(_migrated_postgres, pool_size=20, max_overflow=20)
    try:
        yield engine
    finally:
        await truncate_all(engine)
        await engine.dispose()


@pytest_asyncio.fixture(scope="session")
async def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return await migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite file for one test."""
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest_asyncio.fixture
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh SQLite file."""
    engine = create_engine(sqlite_url)
    try:
        yield engine
    finally:
        await engine.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many Postgres cases ran, so a run that skipped them cannot pass unnoticed."""
    passed = terminalreporter.stats.get("passed", [])
    postgres = [r for r in passed if "postgres" in r.nodeid]
    terminalreporter.write_line(f"Postgres cases passed: {len(postgres)}")
