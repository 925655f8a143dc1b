"""The scripts in ``examples/`` run as a user would run them: each in its own
process, configured by environment variables, on a fresh SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.app import SECRET_KEY

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run(sqlite_url: str, tmp_path: Path) -> Run:
    """Run an example with arguments, in ``tmp_path``; its finished process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CHATCORE_")}
    environ.update(
        CHATCORE_DATABASE_URL=sqlite_url,
        CHATCORE_DATA_DIR=str(tmp_path / "data"),
        CHATCORE_STORAGE_DIR=str(tmp_path / "files"),
        CHATCORE_SECRET_KEY=SECRET_KEY,
        CHATCORE_LOCAL_MODEL_WPS="0",
    )

    def run_example(name: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(EXAMPLES / name), *arguments],
            cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    return run_example


def test_every_example_is_tested() -> None:
    tested = {"cli_chat.py", "batch_ingest.py", "custom_blob_store.py"}
    assert {path.name for path in EXAMPLES.glob("*.py")} == tested


def test_cli_chat_streams_the_answer_to_the_terminal(run: Run) -> None:
    done = run("cli_chat.py", "What", "can", "you", "do?")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("You asked: “What can you do?”.")
    assert done.stdout.endswith("\n") and "offline model" in done.stdout
    assert "[stop, " in done.stderr and " tokens]" in done.stderr


def test_cli_chat_needs_a_question(run: Run) -> None:
    done = run("cli_chat.py")
    assert done.returncode == 2 and "question" in done.stderr


def test_batch_ingest_uploads_a_folder_and_reports_each_file(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "handbook"
    folder.mkdir()
    (folder / "puffins.txt").write_text("The puffin nests in burrows on grassy cliffs.\n")
    (folder / "gulls.md").write_text("# Gulls\n\nGulls eat fish and chips.\n")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "nested").mkdir()  # not a file: ignored
    done = run("batch_ingest.py", str(folder))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ready", "gulls.md:", "1", "pages,", "1", "chunks"]
    assert lines[1].split() == ["ready", "puffins.txt:", "1", "pages,", "1", "chunks"]
    assert lines[2].startswith("skipped    logo.png: Upload a PDF")
    assert lines[3:] == ["2 ready, 0 failed, 1 skipped"]


def test_batch_ingest_refuses_a_missing_folder(run: Run, tmp_path: Path) -> None:
    done = run("batch_ingest.py", str(tmp_path / "nowhere"))
    assert done.returncode == 2 and "is not a folder" in done.stderr


def test_the_custom_blob_store_keeps_documents_in_its_own_layout(run: Run, tmp_path: Path) -> None:
    done = run("custom_blob_store.py", str(tmp_path / "buckets"))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "read     61 bytes, the same" in done.stdout
    stored = [p for p in (tmp_path / "buckets").rglob("*") if p.is_file()]
    assert len(stored) == 1
    key = stored[0].name
    assert stored[0].relative_to(tmp_path / "buckets").parts == (
        "documents",
        key[:2],
        key[2:4],
        key,
    )
    assert not (tmp_path / "files" / "documents").exists()  # the default store was unused
