"""Bring a database's schema up to date with the migrations shipped in this package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sql.dialect import is_postgres
from chatcore.errors import Unavailable

_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x63686174  # any constant: serialises migrations of concurrent processes


async def migrate(engine: AsyncEngine) -> None:
    """Apply every pending migration, in one transaction; raises Unavailable("database")
    when the database cannot be reached."""
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, OSError) as exc:
        raise Unavailable("database") from exc


def _upgrade(connection: Connection) -> None:
    if is_postgres(connection.dialect):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
