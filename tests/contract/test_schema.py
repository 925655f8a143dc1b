"""The schema the migrations build is the one ``adapters.sql.tables`` declares, on
SQLite and on Postgres, and the migrations stand on their own."""

from __future__ import annotations

import ast
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql import migrate as migrate_module
from adapters.sql.engine import create_engine
from adapters.sql.migrate import migrate
from adapters.sql.tables import metadata
from tests.support.databases import empty_postgres_database

MIGRATIONS = Path(migrate_module.__file__).with_name("migrations")

# What migration 0004 builds beside the declared tables for keyword and vector search,
# which the queries of ``adapters.sql.chunk_dialects`` name directly.
_SEARCH_TABLES = "document_chunks_fts"  # SQLite's FTS5 table and its shadow tables
_SEARCH_COLUMNS = {"search_vector"}
_SEARCH_INDEXES = {"ix_document_chunks_search"}
_HNSW_INDEX = "ix_document_chunks_hnsw_"


@pytest.fixture(params=["sqlite", "postgres"])
async def empty(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}"
    else:
        server = request.getfixturevalue("postgres_url")
        url = await empty_postgres_database(server, "chatcore_schema_check")
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def migrated(empty: AsyncEngine) -> AsyncEngine:
    """An engine on a database that was empty, migrated to head."""
    await migrate(empty)
    return empty


async def test_migrations_build_the_declared_tables(migrated: AsyncEngine) -> None:
    async with migrated.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_migrations_name_check_constraints_as_the_tables_do(migrated: AsyncEngine) -> None:
    # Alembic's comparison leaves CHECK constraints out.
    declared = {
        (table.name, str(constraint.name))
        for table in metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    async with migrated.connect() as connection:
        built = await connection.run_sync(_check_constraints)
    assert built == declared


async def test_renaming_the_sessions_check_keeps_the_rows_and_the_check(
    empty: AsyncEngine,
) -> None:
    async with empty.begin() as connection:
        await connection.run_sync(_upgrade, "0007")
        await connection.run_sync(_seed_a_session)
    await migrate(empty)
    async with empty.connect() as connection:
        kinds = (await connection.execute(sa.text("SELECT kind FROM sessions"))).scalars().all()
        checks = await connection.run_sync(_check_constraints)
    assert kinds == ["user"]
    assert ("sessions", "ck_sessions_kind") in checks
    with pytest.raises(sa.exc.IntegrityError):
        async with empty.begin() as connection:
            await connection.execute(sa.text("UPDATE sessions SET kind = 'admin'"))


def test_migrations_import_no_live_code() -> None:
    allowed = {"__future__", "alembic", "sqlalchemy", "pgvector"}
    imported = {
        (path.name, module)
        for path in MIGRATIONS.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] not in allowed
    }
    assert imported == set()


def _differences(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _declared_or_compared}
    )
    return list(compare_metadata(context, metadata))


def _declared_or_compared(
    item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    if not reflected or compare_to is not None or name is None:
        return True
    searching = (
        (kind == "table" and name.startswith(_SEARCH_TABLES))
        or (kind == "column" and name in _SEARCH_COLUMNS)
        or (kind == "index" and (name in _SEARCH_INDEXES or name.startswith(_HNSW_INDEX)))
    )
    return not searching


def _upgrade(connection: sa.Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _seed_a_session(connection: sa.Connection) -> None:
    ids = {"id": uuid.uuid4(), "tenant": uuid.uuid4()}
    typed = [sa.bindparam(name, type_=sa.Uuid) for name in ids]
    connection.execute(
        sa.text(
            "INSERT INTO tenants VALUES (:tenant, 'acme', 'Acme', '{}', CURRENT_TIMESTAMP)"
        ).bindparams(typed[1]),
        ids,
    )
    connection.execute(
        sa.text(
            "INSERT INTO sessions (id, tenant_id, principal_id, kind, created_at, expires_at,"
            " last_seen_at) VALUES (:id, :tenant, :id, 'user', CURRENT_TIMESTAMP,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ).bindparams(*typed),
        ids,
    )


def _check_constraints(connection: sa.Connection) -> set[tuple[str, str]]:
    inspector = sa.inspect(connection)
    return {
        (table, str(check["name"]))
        for table in metadata.tables
        for check in inspector.get_check_constraints(table)
    }


def _imported_modules(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules.append(node.module or "")
    return modules
