"""What ``chatcore-contract`` does once the testing extra is there: run the checks
under pytest and print which passed, which failed and which could not run (and why).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from chatcore_contract._report import Report

PACKAGE_DIR = Path(__file__).resolve().parent


def run(argv: Sequence[str] | None = None) -> int:
    """Run the checks; the exit status."""
    options = _parser().parse_args(argv)
    base_url = options.base_url.rstrip("/")
    problem = _cannot_start(base_url, options.mailbox)
    if problem:
        print(f"chatcore-contract: {problem}", file=sys.stderr)
        return 2
    report = Report()
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = pytest.main(_pytest_arguments(options, base_url), plugins=[report])
    if options.verbose:
        print(output.getvalue())
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not report.outcomes:
        print(output.getvalue(), file=sys.stderr)
        print(f"chatcore-contract: the checks did not run (pytest exit {status})", file=sys.stderr)
        return 2
    print(f"chatcore contract checks against {base_url}\n")
    print(report.render())
    return 1 if report.failed else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatcore-contract",
        description="Check a running chatcore deployment against its HTTP contract.",
    )
    parser.add_argument("--base-url", required=True, help="e.g. https://api.example.com")
    parser.add_argument("--origin", help="an origin listed in CHATCORE_ALLOW_ORIGINS")
    parser.add_argument("--admin-token", help="CHATCORE_ADMIN_TOKEN (creates one tenant)")
    parser.add_argument("--mailbox", help="a Maildir the deployment delivers its mails into")
    parser.add_argument("--tenant", help="a tenant's slug (default: the server's default)")
    parser.add_argument("--email-domain", default="example.com", help="for the check's addresses")
    parser.add_argument("--mail-timeout", type=float, default=15.0, help="seconds to wait")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's output too")
    return parser


def _cannot_start(base_url: str, mailbox: str | None) -> str | None:
    if mailbox and Path(mailbox).exists() and not Path(mailbox).is_dir():
        return f"--mailbox {mailbox} is not a directory"
    try:
        httpx.get(f"{base_url}/health", timeout=10.0)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return f"cannot reach {base_url}: {exc or type(exc).__name__}"
    return None


def _pytest_arguments(options: argparse.Namespace, base_url: str) -> list[str]:
    arguments = [
        # Only this package's checks and plugin: no configuration, conftest or plugin of
        # the directory the command runs in, and nothing written to it.
        *("-c", os.devnull, "--rootdir", str(PACKAGE_DIR), "--confcutdir", str(PACKAGE_DIR)),
        *("--disable-plugin-autoload", "-p", "chatcore_contract.plugin"),
        *("-p", "no:cacheprovider", "-q", "--tb=short" if options.verbose else "--tb=no"),
        *("--pyargs", "chatcore_contract", "--base-url", base_url),
        *("--email-domain", options.email_domain, "--mail-timeout", str(options.mail_timeout)),
    ]
    for name in ("origin", "admin_token", "mailbox", "tenant"):
        value = getattr(options, name)
        if value is not None:
            arguments += [f"--{name.replace('_', '-')}", value]
    return arguments
