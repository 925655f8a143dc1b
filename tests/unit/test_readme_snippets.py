"""The README's Python snippets run as written: whatever the sections "Use as a
library" and "Test your own adapter" say now is what these tests execute."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.app import SECRET_KEY

README = Path(__file__).resolve().parents[2] / "README.md"


def python_block(heading: str) -> str:
    """The one ```python block of the README section ``## heading``."""
    text = README.read_text(encoding="utf-8")
    assert f"\n## {heading}\n" in text, f"the README has a section {heading!r}"
    section = re.split(r"\n## ", text.split(f"\n## {heading}\n", 1)[1], maxsplit=1)[0]
    blocks = re.findall(r"^```python\n(.*?)^```$", section, re.S | re.M)
    assert len(blocks) == 1, f"{heading!r} has {len(blocks)} Python blocks"
    return str(blocks[0])


def environment(**settings: str) -> dict[str, str]:
    """This process's environment without any chatcore setting, plus ``settings``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHATCORE_")}
    environ.pop("DATABASE_URL", None)
    return environ | settings


def test_the_library_snippet_streams_an_answer_from_its_own_model(tmp_path: Path) -> None:
    (tmp_path / "my_service.py").write_text(python_block("Use as a library"))
    env = environment(  # an empty database: the snippet's system migrates it
        CHATCORE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'service.db'}",
        CHATCORE_DATA_DIR=str(tmp_path / "data"),
        CHATCORE_STORAGE_DIR=str(tmp_path / "files"),
        CHATCORE_SECRET_KEY=SECRET_KEY,
    )
    run = subprocess.run(
        [sys.executable, "my_service.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "HELLO FROM MY SERVICE [stop]",
        "1 dialog: Hello from my service",
    ]


def test_the_adapter_snippet_runs_the_contract_and_passes(tmp_path: Path) -> None:
    (tmp_path / "test_my_adapter.py").write_text(python_block("Test your own adapter"))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         "-o", "asyncio_mode=auto", "test_my_adapter.py"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    summary = run.stdout.strip().splitlines()[-1]
    passed = re.fullmatch(r"(\d+) passed in [\d.]+s", summary)
    assert passed and int(passed.group(1)) > 0, summary  # no skip, no failure, no error
