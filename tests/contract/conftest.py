"""The backend fixture: every contract test runs on memory, SQLite and Postgres."""

from __future__ import annotations

import pytest

from adapters.memory import MemoryDatabase
from adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from chatcore.unit_of_work import UnitOfWorkFactory


@pytest.fixture
def memory_uow() -> UnitOfWorkFactory:
    return MemoryDatabase().unit_of_work


@pytest.fixture
def sqlite_uow(sqlite_engine) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    return SqlUnitOfWorkFactory(sqlite_engine)


@pytest.fixture
def postgres_uow(postgres_engine) -> UnitOfWorkFactory:  # type: ignore[no-untyped-def]
    return SqlUnitOfWorkFactory(postgres_engine)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def uow(request: pytest.FixtureRequest) -> UnitOfWorkFactory:
    """A unit-of-work factory on each backend in turn, over an empty, migrated schema."""
    return request.getfixturevalue(f"{request.param}_uow")
