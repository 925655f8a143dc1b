"""One way from a route to the core: the ``use_cases`` dependency, and through it only
the use cases and the shell's policies, never an adapter or the container."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers

from http_shell.container import Adapters
from http_shell.use_cases import UseCases

SHELL = Path(__file__).resolve().parents[2] / "src" / "http_shell"
ROUTE_MODULES = sorted([*SHELL.glob("routes/*.py"), SHELL / "sockets.py", SHELL / "credentials.py"])
REACHABLE = {name for name in UseCases.providers if name != "adapters"}


def reached_through_use_cases(source: str) -> Iterator[str]:
    """The names read from ``use_cases`` (``use_cases.list_dialogs``) in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "use_cases"
        ):
            yield node.attr


def parameters(source: str) -> Iterator[str]:
    """Every function parameter named in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from (arg.arg for arg in node.args.args + node.args.kwonlyargs)


@pytest.mark.parametrize("path", ROUTE_MODULES, ids=lambda p: str(p.relative_to(SHELL)))
def test_routes_reach_only_use_cases_and_policies(path: Path) -> None:
    source = path.read_text()
    assert set(reached_through_use_cases(source)) <= REACHABLE
    assert "container" not in set(parameters(source))


def test_no_adapter_is_reachable_through_use_cases() -> None:
    adapters = set(Adapters.providers) - {"settings"}
    assert not adapters & REACHABLE, adapters & REACHABLE


def test_use_cases_are_built_per_call_unless_they_hold_state() -> None:
    # The singletons own state that must be one per process (caches, tasks in flight).
    singletons = {
        name
        for name, provider in UseCases.providers.items()
        if isinstance(provider, providers.Singleton)
    }
    policies = {
        "tenant_defaults",
        "identity_policy",
        "otp_key",
        "api_key_secret",
        "cursor_codec",
        "trusted_proxies",
        "storage_quotas",
        "profile_policy",
    }
    assert singletons - policies == {
        "tenant_directory",
        "job_worker",
        "live_replies",
        "complete_chat",
    }


def test_the_check_catches_a_route_that_reaches_an_adapter() -> None:
    offender = "async def route(use_cases):\n    return use_cases.adapters.engine()\n"
    assert not set(reached_through_use_cases(offender)) <= REACHABLE
