"""The dependency rule: the core imports only the standard library and msgspec;
adapters never import the shell; only the container names adapters in the shell."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
CORE_ALLOWED = set(sys.stdlib_module_names) | {"msgspec", "chatcore", "__future__"}
# The public contract harness runs under pytest; it still tests through the ports only.
HARNESS = "chatcore/testing"
HARNESS_ALLOWED = CORE_ALLOWED | {"pytest", "pytest_asyncio"}
# The live checks (their own package, outside the pure core) talk to a server over
# the network, as its clients do.
LIVE_HARNESS = "chatcore_contract"
LIVE_HARNESS_ALLOWED = HARNESS_ALLOWED | {LIVE_HARNESS, "httpx", "websockets"}


def imported_roots(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def in_harness(path: Path) -> bool:
    return path.relative_to(SRC).as_posix().startswith(HARNESS + "/")


@pytest.mark.parametrize(
    "path",
    [p for p in modules("chatcore") if not in_harness(p)],
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_core_imports_only_the_standard_library_and_msgspec(path: Path) -> None:
    foreign = [(line, root) for line, root in imported_roots(path) if root not in CORE_ALLOWED]
    assert not foreign, f"{path.relative_to(SRC)} imports {foreign}"


@pytest.mark.parametrize("path", modules(HARNESS), ids=lambda p: str(p.relative_to(SRC)))
def test_the_harness_imports_only_the_core_and_pytest(path: Path) -> None:
    # No adapter, no shell, no private test helper: a third party has none of them.
    foreign = [(line, root) for line, root in imported_roots(path) if root not in HARNESS_ALLOWED]
    assert not foreign, f"{path.relative_to(SRC)} imports {foreign}"


@pytest.mark.parametrize("path", modules(LIVE_HARNESS), ids=lambda p: str(p.relative_to(SRC)))
def test_the_live_checks_import_only_the_core_pytest_and_http_clients(path: Path) -> None:
    # They reach a deployment only through HTTP and WebSocket, never through its code.
    foreign = [
        (line, root) for line, root in imported_roots(path) if root not in LIVE_HARNESS_ALLOWED
    ]
    assert not foreign, f"{path.relative_to(SRC)} imports {foreign}"


@pytest.mark.parametrize("path", modules("adapters"), ids=lambda p: str(p.relative_to(SRC)))
def test_adapters_never_import_the_shell(path: Path) -> None:
    assert "http_shell" not in {root for _, root in imported_roots(path)}


def test_only_the_container_names_adapters_in_the_shell() -> None:
    naming = {
        str(path.relative_to(SRC))
        for path in modules("http_shell")
        if "adapters" in {root for _, root in imported_roots(path)}
    }
    assert naming <= {"http_shell/container.py"}, naming


def test_the_rule_catches_an_offender(tmp_path: Path) -> None:
    offender = tmp_path / "bad.py"
    offender.write_text("import sqlalchemy\nfrom litestar import Litestar\n")
    assert {root for _, root in imported_roots(offender)} - CORE_ALLOWED == {
        "sqlalchemy",
        "litestar",
    }
