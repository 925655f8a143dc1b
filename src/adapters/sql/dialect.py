"""Where SQLite and Postgres differ, in one place: how the tables store datetimes,
JSON, row sequences and embeddings; the INSERT that can say ON CONFLICT; and which
backend a connection is on. The tables and every repository take these from here
rather than asking the dialect themselves.

Two parts differ too much for a switch and keep their own modules: the chunk search
(``chunk_dialects``) and the engine's setup (``engine``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pgvector.sqlalchemy import VECTOR
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

Upsert = postgresql.Insert | sqlite.Insert
"""An INSERT that knows ON CONFLICT, of either backend."""


def is_postgres(dialect: Dialect) -> bool:
    """Whether ``dialect`` is Postgres's (else it is SQLite's)."""
    return dialect.name == "postgresql"


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes in and out, whatever the backend stores."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite stores text; a fixed naive format keeps its ordering chronological.
        return value if is_postgres(dialect) else value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_type() -> sa.types.TypeEngine[Any]:
    """JSON everywhere, stored as JSONB on Postgres."""
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def sequence_type() -> sa.types.TypeEngine[int]:
    """An auto-incremented integer key: BIGINT on Postgres; on SQLite INTEGER, which
    makes the column an alias of the rowid."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def embedding_type() -> sa.types.TypeEngine[Any]:
    """A vector of any length: pgvector's ``vector`` on Postgres, float32 bytes on SQLite."""
    return sa.LargeBinary().with_variant(VECTOR(), "postgresql")


def upsert(dialect: Dialect, table: sa.Table) -> Upsert:
    """An INSERT into ``table`` that can say what to do ON CONFLICT, as ``dialect`` says it."""
    if is_postgres(dialect):
        return postgresql.insert(table)
    return sqlite.insert(table)
