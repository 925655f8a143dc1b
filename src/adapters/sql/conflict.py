"""Inserts that may hit a unique key: the core's Conflict, and the transaction goes on."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection

from chatcore.errors import Conflict


async def insert_or_conflict(db: AsyncConnection, statement: sa.Insert, message: str) -> None:
    """Run an insert in a savepoint; a duplicate key raises Conflict(``message``) and
    rolls back only the savepoint, so the unit of work can still commit."""
    try:
        async with db.begin_nested():
            await db.execute(statement)
    except sa_exc.IntegrityError as exc:
        raise Conflict(message) from exc
