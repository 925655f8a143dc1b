"""One place for each SQL concern: the differences between SQLite and Postgres in
``adapters.sql.dialect``, a duplicate key turned into the core's Conflict in
``adapters.sql.conflict``. The migrations stand apart (``tests/contract/test_schema.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SQL = Path(__file__).resolve().parents[2] / "src" / "adapters" / "sql"
# The engine's setup differs as a whole, per URL (it is named in dialect.py's docstring).
DIALECT_MODULES = {"dialect.py", "engine.py"}


def sql_modules() -> list[Path]:
    return sorted(path for path in SQL.glob("*.py"))


def asks_the_dialect(source: str) -> list[int]:
    """Lines that import a dialect's constructs or compare a dialect's name."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sqlalchemy.dialects"
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "name":
            owner = node.value
            named = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if named == "dialect":
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "path", [p for p in sql_modules() if p.name not in DIALECT_MODULES], ids=lambda p: p.name
)
def test_repositories_take_backend_differences_from_the_dialect_module(path: Path) -> None:
    assert asks_the_dialect(path.read_text()) == []


@pytest.mark.parametrize(
    "path", [p for p in sql_modules() if p.name != "conflict.py"], ids=lambda p: p.name
)
def test_only_the_conflict_helper_turns_duplicate_keys_into_conflicts(path: Path) -> None:
    source = path.read_text()
    assert "IntegrityError" not in source
    assert "begin_nested" not in source


def test_the_rule_catches_an_offender() -> None:
    offender = (
        "from sqlalchemy.dialects import postgresql\n"
        "postgres = connection.dialect.name == 'postgresql'\n"
        "sqlite = dialect.name == 'sqlite'\n"
    )
    assert asks_the_dialect(offender) == [1, 2, 3]
