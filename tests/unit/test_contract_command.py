"""``chatcore-contract`` after a plain ``pip install chatcore``: it names the extra it
needs instead of failing with a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chatcore_contract.cli import TESTING_EXTRA

# A fresh interpreter in which the module cannot be imported, as if never installed.
_WITHOUT = (
    "import sys; sys.modules[{name!r}] = None; "
    "from chatcore_contract.cli import main; "
    "sys.exit(main(['--base-url', 'http://127.0.0.1:9']))"
)


@pytest.mark.parametrize("name", TESTING_EXTRA)
def test_without_the_testing_extra_the_command_names_it(name: str) -> None:
    ran = subprocess.run(
        [sys.executable, "-c", _WITHOUT.format(name=name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 2, ran.stderr
    assert "Traceback" not in ran.stderr
    assert f"needs chatcore's testing extra ({name} not installed)" in ran.stderr
    assert "pip install 'chatcore[testing]'" in ran.stderr
