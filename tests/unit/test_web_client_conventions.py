"""The web client's scripts do each thing one way: modules import each other by
relative path, and elements are built with ``h()`` from ``dom.js``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "src" / "http_shell" / "web" / "static"
SCRIPTS = sorted(STATIC.glob("*.js"))
_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']""", re.M)


def import_specifiers(source: str) -> list[str]:
    return _IMPORT.findall(source)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_modules_import_each_other_by_relative_path(script: Path) -> None:
    specifiers = import_specifiers(script.read_text())
    assert [s for s in specifiers if not s.startswith("./")] == []
    assert all((STATIC / s).is_file() for s in specifiers), specifiers


@pytest.mark.parametrize("script", [s for s in SCRIPTS if s.name != "dom.js"], ids=lambda p: p.name)
def test_elements_are_built_with_h(script: Path) -> None:
    assert "createElement(" not in script.read_text()


def test_the_import_rule_reads_both_spellings() -> None:
    source = 'import { a } from "/assets/api.js";\nimport { h } from "./dom.js";\n'
    assert import_specifiers(source) == ["/assets/api.js", "./dom.js"]
