"""``chatcore`` as a package: ``__all__`` names what it exports, every type in an
exported signature is exported too, importing it loads nothing from outside the
standard library but msgspec, and the wheel ships ``py.typed`` and the harness."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import typing
import zipfile
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

import chatcore

ROOT = Path(__file__).resolve().parents[2]


def test_all_names_only_existing_attributes_and_each_once() -> None:
    assert chatcore.__all__, "chatcore exports nothing"
    assert len(set(chatcore.__all__)) == len(chatcore.__all__)
    missing = [name for name in chatcore.__all__ if not hasattr(chatcore, name)]
    assert not missing, missing


@pytest.mark.parametrize(
    "name",
    [
        "Tenant", "TenantSettings", "Principal", "Dialog", "Message", "ChatRequest",
        "ChatService", "Meta", "Delta", "Citations", "Usage", "Done", "Error", "Document",
        "ChatcoreError", "NotFound", "PageRequest", "Page", "BlobStore", "ChatModel",
        "EventBus", "UnitOfWork", "QuotaWarning", "UploadDocument", "GetUsage",
        "Vector", "ThrottleScope", "PDF", "PLAIN_TEXT", "MARKDOWN", "estimate_tokens",
        "page_of",
    ],
)  # fmt: skip
def test_what_a_caller_needs_is_exported(name: str) -> None:
    assert name in chatcore.__all__


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


def exported_signatures() -> Iterator[tuple[str, dict[str, object]]]:
    """Each exported class's public methods, properties and fields, with their hints."""
    for name in chatcore.__all__:
        exported = getattr(chatcore, name)
        if not inspect.isclass(exported):
            continue
        if issubclass(exported, msgspec.Struct):
            yield name, typing.get_type_hints(exported)
        for attribute, member in vars(exported).items():
            function = member.fget if isinstance(member, property) else member
            public = not attribute.startswith("_") or attribute == "__call__"
            if public and inspect.isfunction(function):
                yield f"{name}.{attribute}", typing.get_type_hints(function)


def test_every_type_in_an_exported_signature_is_exported() -> None:
    unexported = {
        f"{kind.__name__} (in {where})"
        for where, hints in exported_signatures()
        for hint in hints.values()
        for kind in chatcore_types_in(hint)
        if getattr(chatcore, kind.__name__, None) is not kind
    }
    assert not unexported, sorted(unexported)


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
