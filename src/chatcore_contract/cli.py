"""``chatcore-contract``: run the live contract checks against a deployment and print
which passed, which failed and which could not run (and why).

Exit status: 0 when nothing failed, 1 when a check failed, 2 when the checks could
not start (bad arguments, an unreachable base URL, chatcore installed without its
``testing`` extra).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

# What the checks import beyond chatcore's own dependencies: the ``testing`` extra.
TESTING_EXTRA = ("pytest", "httpx", "websockets")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks; the exit status."""
    missing = _missing(TESTING_EXTRA)
    if missing:
        print(
            f"chatcore-contract: needs chatcore's testing extra ({', '.join(missing)} not "
            "installed): pip install 'chatcore[testing]'",
            file=sys.stderr,
        )
        return 2
    from chatcore_contract._command import run  # imports pytest and httpx

    return run(argv)


def _missing(modules: Sequence[str]) -> list[str]:
    absent = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            absent.append(name)
    return absent


if __name__ == "__main__":
    sys.exit(main())
