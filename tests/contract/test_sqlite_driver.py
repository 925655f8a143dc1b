"""The SQLite engine's one-trip connections: what SQLAlchemy reads from a cursor
(rows, row counts, the last row id, errors) is what plain aiosqlite gives it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.engine import create_engine
from adapters.sql.sqlite_driver import OneTripConnection

_items = sa.Table(
    "items",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String, unique=True),
)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(_items.metadata.create_all)
    yield engine
    await engine.dispose()


async def test_connections_are_one_trip_connections(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)


async def test_rows_counts_and_row_ids_reach_sqlalchemy(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(_items.insert(), {"name": "a"})
        assert inserted.inserted_primary_key == (1,)
        await connection.execute(_items.insert(), [{"name": "b"}, {"name": "c"}])
        updated = await connection.execute(
            _items.update().where(_items.c.name != "a").values(name=_items.c.name + "!")
        )
        assert updated.rowcount == 2
        returned = await connection.execute(
            _items.delete().where(_items.c.name == "a").returning(_items.c.id)
        )
        assert returned.scalars().all() == [1]
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(_items.c.name).order_by(_items.c.id))
        assert rows.scalars().all() == ["b!", "c!"]


async def test_driver_errors_become_sqlalchemy_errors_and_roll_back(engine: AsyncEngine) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(_items.insert(), {"name": "twice"})
            await connection.execute(_items.insert(), {"name": "twice"})
    async with engine.connect() as connection:
        count = await connection.scalar(sa.select(sa.func.count()).select_from(_items))
    assert count == 0


def test_aiosqlite_still_has_the_private_parts_the_driver_builds_on() -> None:
    # Not aiosqlite's public API, hence its upper bound in pyproject.toml: a release
    # that moves them must fail here, not in the engine.
    unstarted = aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), iter_chunk_size=64)
    missing = [name for name in ("_execute", "_conn") if not hasattr(aiosqlite.Connection, name)]
    missing += [name for name in ("_thread",) if name not in vars(unstarted)]
    assert missing == [], f"aiosqlite {aiosqlite.__version__} has no {missing}"
