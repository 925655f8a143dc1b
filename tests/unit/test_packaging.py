"""pyproject.toml declares what the code imports: the library its dependencies, the
contract suites and the live checks the ``testing`` extra, traces the ``otel`` extra;
``dev`` reuses both extras."""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterable
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
FIRST_PARTY = {"chatcore", "adapters", "http_shell", "chatcore_contract"}
# Shipped with the testing extra: imported only when a contract suite or check runs.
TESTING_PACKAGES = ("chatcore/testing", "chatcore_contract")
# Shipped with the otel extra: imported only when traces are configured.
OTEL_MODULES = ("adapters/otel/", "http_shell/telemetry/traces.py")


def in_testing(path: Path) -> bool:
    relative = path.relative_to(SRC).as_posix()
    return any(relative.startswith(package + "/") for package in TESTING_PACKAGES)


def in_otel(path: Path) -> bool:
    return path.relative_to(SRC).as_posix().startswith(OTEL_MODULES)


def declared(requirements: Iterable[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def undeclared(
    paths: Iterable[Path], requirements: set[str], base: Path = SRC
) -> set[tuple[str, str]]:
    """(file, module) for each third-party import no declared distribution provides."""
    provided_by = packages_distributions()
    found = set()
    for path in paths:
        for root in imported_roots(path):
            if root in FIRST_PARTY or root in sys.stdlib_module_names:
                continue
            distributions = {canonicalize_name(name) for name in provided_by.get(root, [])}
            if not distributions & requirements:
                found.add((path.relative_to(base).as_posix(), root))
    return found


def imported_roots(path: Path) -> set[str]:
    """The top-level packages a module imports when it runs (imports for the type
    checker alone, under ``if TYPE_CHECKING:``, need no installed distribution)."""
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            node.body = []
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_library_declares_every_distribution_it_imports() -> None:
    library = [path for path in SRC.rglob("*.py") if not in_testing(path) and not in_otel(path)]
    assert undeclared(library, declared(PROJECT["dependencies"])) == set()


def test_the_testing_extra_declares_what_the_suites_and_checks_import() -> None:
    testing = [path for path in SRC.rglob("*.py") if in_testing(path)]
    extras = PROJECT["optional-dependencies"]
    requirements = declared(PROJECT["dependencies"]) | declared(extras["testing"])
    assert undeclared(testing, requirements) == set()


def test_the_otel_extra_declares_what_the_tracing_modules_import() -> None:
    tracing = [path for path in SRC.rglob("*.py") if in_otel(path)]
    assert tracing
    extras = PROJECT["optional-dependencies"]
    requirements = declared(PROJECT["dependencies"]) | declared(extras["otel"])
    assert undeclared(tracing, requirements) == set()
    # Namespace packages: every OpenTelemetry distribution provides `opentelemetry`,
    # so the rule above cannot tell them apart; these are the ones imported.
    assert {
        "opentelemetry-api",
        "opentelemetry-sdk",
        "opentelemetry-exporter-otlp-proto-http",
        "opentelemetry-instrumentation-sqlalchemy",
        "opentelemetry-semantic-conventions",
        "opentelemetry-util-http",
    } <= declared(extras["otel"])


def test_dev_reuses_the_extras_instead_of_repeating_them() -> None:
    extras = PROJECT["optional-dependencies"]
    for extra in ("testing", "otel"):
        assert f"chatcore[{extra}]" in extras["dev"]
        assert declared(extras["dev"]) & declared(extras[extra]) == set()


def test_the_rule_catches_an_offender(tmp_path: Path) -> None:
    offender = tmp_path / "offender.py"
    offender.write_text(
        "import httpx2\nimport json\nfrom adapters import sql\n"
        "if TYPE_CHECKING:\n    import typed_only\n"
    )
    assert undeclared([offender], {"openai"}, base=tmp_path) == {("offender.py", "httpx2")}
