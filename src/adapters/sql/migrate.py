"""Bring a database's schema up to date with the migrations shipped in this package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x63686174  # any constant: serialises migrations of concurrent processes


async def migrate(engine: AsyncEngine) -> None:
    """Apply every pending migration, in one transaction."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")
