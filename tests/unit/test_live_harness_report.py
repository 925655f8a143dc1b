"""The report of ``chatcore-contract``: one verdict per check, the worst of its phases,
and never a pass for a check that did not finish."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatcore_contract._report import Report

CHECKS = '''
import pytest

@pytest.fixture
def leaky():
    yield
    raise RuntimeError("the session could not be deleted")

def test_fine():
    """It works."""

def test_broken():
    """It breaks."""
    assert 1 == 2, "expected 1, got 2\\nmore detail"

def test_unavailable():
    """It needs a mailbox."""
    pytest.skip("could not run: no --mailbox given")

def test_messy(leaky):
    """It leaves something behind."""

@pytest.mark.parametrize("path", ["/a"])
def test_each(path):
    """One per path."""
'''


def run_checks(tmp_path: Path, source: str, area: str = "area") -> Report:
    """The report of a pytest run, in this process, of a module of checks (named apart:
    a module name stays imported for the rest of this process)."""
    (tmp_path / f"test_{area}.py").write_text(source)
    report = Report()
    arguments = ["-q", "-p", "no:cacheprovider", "--disable-plugin-autoload", "-c", os.devnull]
    arguments += ["--rootdir", str(tmp_path)]
    pytest.main([str(tmp_path), *arguments], plugins=[report])
    return report


def test_each_check_gets_one_line_with_its_verdict_and_reason(tmp_path: Path) -> None:
    assert run_checks(tmp_path, CHECKS).render().splitlines() == [
        "PASSED        area  It works.",
        "FAILED        area  It breaks. — AssertionError: expected 1, got 2",
        "COULD NOT RUN area  It needs a mailbox. — no --mailbox given",
        "FAILED        area  It leaves something behind. — cleaning up: RuntimeError: the "
        "session could not be deleted",
        "PASSED        area  One per path. [/a]",
        "2 passed, 2 failed, 1 could not run",
    ]


def test_a_check_that_never_ran_is_not_passed(tmp_path: Path) -> None:
    cut_short = '''
import pytest

def test_first():
    """It stops the run."""
    pytest.exit("stopped")

def test_second():
    """It never runs."""
'''
    report = run_checks(tmp_path, cut_short, area="cut")
    assert report.failed == 2
    assert report.render().splitlines()[-2:] == [
        "FAILED        cut  It never runs. — it did not run to its end",
        "0 passed, 2 failed, 0 could not run",
    ]
