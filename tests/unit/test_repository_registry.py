"""One registry of repositories: the ``UnitOfWork`` protocol names each repository
and its port, and each adapter family's ``REPOSITORIES`` maps the same names to the
classes its unit of work builds. Adding a repository adds a property to the protocol
and an entry to each mapping; the units of work themselves do not change."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import chatcore.unit_of_work
from adapters.memory import repositories as memory_repositories
from adapters.memory.unit_of_work import MemoryDatabase
from adapters.sql import repositories as sql_repositories
from adapters.sql.unit_of_work import SqlUnitOfWork
from chatcore.unit_of_work import UnitOfWork

FAMILIES = {"memory": memory_repositories.REPOSITORIES, "sql": sql_repositories.REPOSITORIES}


def registered() -> dict[str, type]:
    """Each repository the protocol lists, with its port."""
    return {
        name: typing.get_type_hints(member.fget, vars(chatcore.unit_of_work))["return"]
        for name, member in vars(UnitOfWork).items()
        if isinstance(member, property)
    }


def public_methods(kind: type) -> dict[str, Callable[..., object]]:
    return {
        name: member
        for name, member in inspect.getmembers(kind, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_serves_exactly_the_repositories_the_protocol_lists(family: str) -> None:
    assert set(FAMILIES[family]) == set(registered())


@pytest.mark.parametrize(
    ("family", "name"), [(family, name) for family in FAMILIES for name in registered()]
)
def test_each_class_has_its_ports_methods_with_the_same_parameters(family: str, name: str) -> None:
    # The units of work build repositories by name, so mypy no longer sees the class
    # behind each port: this is the check it did, as far as names and shapes go.
    port, served = registered()[name], FAMILIES[family][name]
    assert inspect.isclass(served), f"{family} {name}: {served!r} is not a class"
    methods = public_methods(served)
    for method_name, wanted in public_methods(port).items():
        assert method_name in methods, f"{served.__name__} lacks {port.__name__}.{method_name}"
        method = methods[method_name]
        assert inspect.iscoroutinefunction(method) == inspect.iscoroutinefunction(wanted)
        assert list(inspect.signature(method).parameters) == list(
            inspect.signature(wanted).parameters
        ), f"{served.__name__}.{method_name} differs from {port.__name__}.{method_name}"


class ToyRepository:
    """A repository that only remembers what it was built on."""

    def __init__(self, source: object) -> None:
        self.source = source


@pytest.fixture
def toys_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A toy repository registered in both families, as a new one would be."""
    for repositories in FAMILIES.values():
        monkeypatch.setitem(repositories, "toys", ToyRepository)


@pytest.mark.usefixtures("toys_registered")
async def test_a_registered_repository_is_served_by_the_memory_unit_of_work() -> None:
    async with MemoryDatabase().unit_of_work() as uow:
        toys = uow.toys
        assert isinstance(toys, ToyRepository)
        assert toys.source is uow._working()


@pytest.mark.usefixtures("toys_registered")
async def test_a_registered_repository_is_served_by_the_sql_unit_of_work(
    sqlite_engine: AsyncEngine,
) -> None:
    async with SqlUnitOfWork(sqlite_engine) as uow:
        toys = uow.toys
        assert isinstance(toys, ToyRepository)
        assert toys.source is uow._conn()
        assert uow.toys is toys  # built once per transaction


async def test_an_unregistered_name_is_no_repository(sqlite_engine: AsyncEngine) -> None:
    async with MemoryDatabase().unit_of_work() as memory, SqlUnitOfWork(sqlite_engine) as sql:
        for uow in (memory, sql):
            with pytest.raises(AttributeError, match="no repository 'toys'"):
                uow.toys  # noqa: B018
