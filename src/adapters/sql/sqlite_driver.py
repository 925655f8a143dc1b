"""aiosqlite connections that run each statement in one trip to their thread.

Through SQLAlchemy's aiosqlite adapter a query costs four trips to the connection's
worker thread (open a cursor, execute, fetch, close) and other statements three;
every trip wakes the thread and then the event loop, and on a busy server those
wake-ups cost more than the statements. Here ``execute`` opens, runs, fetches and
closes in one trip, and SQLAlchemy gets a cursor that already holds its rows.
Server-side cursors (``stream()``) are not supported: nothing here streams results.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

_Description = tuple[tuple[Any, ...], ...] | None
_Outcome = tuple[_Description, int, int | None, list[Any]]


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors execute in one trip."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        """A cursor that runs nothing until ``execute``."""
        return OneTripCursor(self)

    async def rollback(self) -> None:
        """Roll back the open transaction; with none open (reads run without BEGIN),
        return without a trip to the worker thread."""
        if self._conn.in_transaction:
            await super().rollback()

    async def run(self, sql: str, parameters: Sequence[Any] | None) -> _Outcome:
        """Execute ``sql`` and fetch its rows, in the worker thread."""
        # aiosqlite's own queue to its thread (untyped): one trip, one wake-up back.
        outcome: _Outcome = await self._execute(  # type: ignore[no-untyped-call]
            _run, self._conn, sql, parameters or ()
        )
        return outcome

    async def run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> _Outcome:
        """Execute ``sql`` once per parameter row, in the worker thread."""
        outcome: _Outcome = await self._execute(  # type: ignore[no-untyped-call]
            _run_many, self._conn, sql, list(rows)
        )
        return outcome


class OneTripCursor:
    """The DB-API cursor SQLAlchemy's adapter drives, holding the rows of its last
    statement."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneTripCursor:
        # SQLAlchemy enters what aiosqlite's cursor() returns, and never exits it.
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> None:
        """Run one statement; its rows wait for ``fetchall``."""
        self._keep(await self._connection.run(sql, parameters))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement per parameter row."""
        self._keep(await self._connection.run_many(sql, rows))

    async def fetchall(self) -> list[Any]:
        """The rows of the last statement."""
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        """Nothing to release: the driver's cursor closed in the worker thread."""
        self._rows = []

    def _keep(self, outcome: _Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = outcome


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """``aiosqlite.connect`` for a OneTripConnection (await it to open it)."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    connection = OneTripConnection(connector, iter_chunk_size=64)
    # As SQLAlchemy does for plain aiosqlite: an undisposed engine must not keep the
    # process from exiting.
    connection._thread.daemon = True
    return connection


def _run(connection: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> _Outcome:
    cursor = connection.execute(sql, parameters)
    try:
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _run_many(connection: sqlite3.Connection, sql: str, rows: list[Sequence[Any]]) -> _Outcome:
    cursor = connection.executemany(sql, rows)
    try:
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()
