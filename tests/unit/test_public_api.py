"""``chatcore`` as a package: ``__all__`` names what it exports, and importing it
loads nothing from outside the standard library but msgspec."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import chatcore


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
