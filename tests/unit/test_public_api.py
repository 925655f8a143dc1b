"""``chatcore`` as a package: the top level is a curated set (errors, ids, events,
what the README and ``examples/`` import), each context exports its model and ports
from ``chatcore.<context>`` and its use cases from ``chatcore.<context>.use_cases``,
what the documentation imports is exported where it imports it from, every type in a
public signature is public somewhere, importing any public module first works,
importing chatcore loads nothing from outside the standard library but msgspec, and
the wheel ships ``py.typed`` and the harness."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import subprocess
import sys
import typing
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import msgspec
import pytest

import chatcore

ROOT = Path(__file__).resolve().parents[2]
# Every package of the core but the harness is a context.
CONTEXTS = sorted(
    path.parent.name
    for path in (ROOT / "src" / "chatcore").glob("*/__init__.py")
    if path.parent.name != "testing"
)
SHARED = ["kernel", "errors", "pagination", "unit_of_work", "admission", "erasure", "health"]
PUBLIC = [
    "chatcore",
    *(f"chatcore.{context}" for context in CONTEXTS),
    *(f"chatcore.{context}.use_cases" for context in CONTEXTS),
    *(f"chatcore.{module}" for module in SHARED),
]


def public_module(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", PUBLIC)
def test_all_names_only_existing_attributes_and_each_once(name: str) -> None:
    module = public_module(name)
    assert module.__all__, f"{name} exports nothing"
    assert len(set(module.__all__)) == len(module.__all__)
    missing = [each for each in module.__all__ if not hasattr(module, each)]
    assert not missing, missing


def home_of(value: object) -> str | None:
    """The public module other than the top level that exports ``value``."""
    for name in PUBLIC[1:]:
        module = public_module(name)
        if any(getattr(module, each) is value for each in module.__all__):
            return name
    return None


def test_the_top_level_only_repeats_names_exported_where_they_belong() -> None:
    homeless = [name for name in chatcore.__all__ if home_of(getattr(chatcore, name)) is None]
    assert not homeless, homeless


def test_the_top_level_leaves_repositories_and_use_cases_to_their_contexts() -> None:
    use_cases = {
        name
        for context in CONTEXTS
        for name in public_module(f"chatcore.{context}.use_cases").__all__
    }
    internal = {name for name in chatcore.__all__ if name.endswith("Repository")}
    assert not internal and not (set(chatcore.__all__) & use_cases - {"ChatRequest"})


def documented_sources() -> Iterator[tuple[str, str]]:
    """The README's Python blocks and the example scripts, each with where it is."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for number, block in enumerate(re.findall(r"^```python\n(.*?)^```$", readme, re.S | re.M)):
        yield f"README.md python block {number + 1}", block
    for path in sorted((ROOT / "examples").glob("*.py")):
        yield f"examples/{path.name}", path.read_text(encoding="utf-8")


def documented_imports() -> Iterator[tuple[str, str, str]]:
    """(where, module, name) for every ``from chatcore... import name`` documented."""
    for where, source in documented_sources():
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            # The contract harness is documented by its own section, not exported here.
            chatcore_module = node.module.split(".")[0] == "chatcore"
            if chatcore_module and not node.module.startswith("chatcore.testing"):
                for alias in node.names:
                    yield where, node.module, alias.name


def test_the_documentation_imports_from_chatcore() -> None:
    # A guard on the guard: if the README stopped importing from chatcore, the test
    # below would pass on nothing.
    assert {module for _, module, _ in documented_imports()} >= {"chatcore"}


def test_what_the_documentation_imports_is_exported_where_it_imports_it_from() -> None:
    unexported = [
        f"{name} from {module} ({where})"
        for where, module, name in documented_imports()
        if module not in PUBLIC or name not in public_module(module).__all__
    ]
    assert not unexported, unexported


def modules_loaded_by(statement: str) -> set[str]:
    """The modules a fresh interpreter loads to run ``statement``."""
    script = (
        "import json, sys; before = set(sys.modules); "
        f"{statement}; print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout))


def test_importing_chatcore_loads_no_third_party_module_but_msgspec() -> None:
    loaded = modules_loaded_by("import chatcore") - modules_loaded_by("import msgspec")
    foreign = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names)
    assert foreign == {"chatcore"}
    assert "chatcore.testing" not in loaded  # it needs pytest; imported only when asked


def chatcore_types_in(hint: object) -> Iterator[type]:
    """The classes and NewTypes of chatcore that a type hint names, however nested."""
    arguments = () if typing.get_origin(hint) is typing.Literal else typing.get_args(hint)
    for argument in arguments:
        yield from chatcore_types_in(argument)
    module = getattr(hint, "__module__", "") or ""
    named = inspect.isclass(hint) or hasattr(hint, "__supertype__")
    if named and module.split(".")[0] == "chatcore":
        yield typing.cast(type, hint)


def public_signatures() -> Iterator[tuple[str, dict[str, object]]]:
    """Each publicly exported class's public methods, properties and fields, with
    their hints."""
    for module_name in PUBLIC:
        module = public_module(module_name)
        for name in module.__all__:
            exported = getattr(module, name)
            if not inspect.isclass(exported):
                continue
            if issubclass(exported, msgspec.Struct):
                yield name, typing.get_type_hints(exported)
            for attribute, member in vars(exported).items():
                function = member.fget if isinstance(member, property) else member
                public = not attribute.startswith("_") or attribute == "__call__"
                if public and inspect.isfunction(function):
                    yield f"{name}.{attribute}", typing.get_type_hints(function)


def test_every_type_in_a_public_signature_is_public_somewhere() -> None:
    unexported = {
        f"{kind.__name__} (in {where})"
        for where, hints in public_signatures()
        for hint in hints.values()
        for kind in chatcore_types_in(hint)
        if home_of(kind) is None
    }
    assert not unexported, sorted(unexported)


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_module_can_be_imported_first(name: str) -> None:
    # A context's package imports its model and ports, never its use cases: use cases
    # of one context import others' types, and an import cycle would show here.
    assert modules_loaded_by(f"import {name}")


def test_the_wheel_ships_py_typed_and_the_harness(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    [wheel] = tmp_path.glob("chatcore-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"chatcore/py.typed", "adapters/py.typed", "http_shell/py.typed",
            "chatcore_contract/py.typed"} <= names  # fmt: skip
    harness = {path.relative_to(ROOT / "src").as_posix()
               for folder in ("chatcore/testing", "chatcore_contract")
               for path in (ROOT / "src" / folder).glob("*.py")}  # fmt: skip
    assert harness <= names
