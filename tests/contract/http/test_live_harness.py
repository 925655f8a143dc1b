"""``chatcore-contract``, the live contract checks, run as a team runs them: the command
documented in the README, in its own process, against a real server on loopback.

The command line is read from the README's "Check a deployment" section; only the
server's address differs (the test server listens on a free port).
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import socket
import sys
from pathlib import Path

import pytest

from adapters.security.argon2 import Argon2PasswordHasher
from tests.contract.http.conftest import ServerFactory

README = Path(__file__).resolve().parents[3] / "README.md"
COMMAND = Path(sys.executable).with_name("chatcore-contract")
MAIL_CHECKS = re.compile(r"^COULD NOT RUN +auth_mail .* — no --mailbox given", re.MULTILINE)


def documented_command() -> list[str]:
    """The ``chatcore-contract`` command of the README's "Check a deployment" section."""
    section = README.read_text().split("\n## Check a deployment\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    command = shlex.split(block.replace("\\\n", " "), comments=True)
    assert command[0] == "chatcore-contract", command
    return command


def option(command: list[str], name: str) -> str:
    """The value given to an option of ``command``."""
    return command[command.index(name) + 1]


def with_option(command: list[str], name: str, value: str) -> list[str]:
    """``command`` with another value for an option it has."""
    changed = list(command)
    changed[changed.index(name) + 1] = value
    return changed


async def run(command: list[str], cwd: Path) -> tuple[int, str]:
    """Run the installed command in its own process; its exit status and output."""
    environ = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    process = await asyncio.create_subprocess_exec(
        str(COMMAND),
        *command[1:],
        cwd=cwd,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(120):
        output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


def cheap_hasher() -> Argon2PasswordHasher:
    """Real argon2id at its smallest cost: the checks sign in several times."""
    return Argon2PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


async def test_the_documented_command_passes_every_check_on_a_full_server(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    command = documented_command()
    async with make_server(
        mail_dir=str(tmp_path / option(command, "--mailbox")),
        admin_token=option(command, "--admin-token"),
        allow_origins=option(command, "--origin"),
        # Paced, as a real model is, so that a cancel arrives while the reply streams.
        local_model_wps="100",
        password_hasher=cheap_hasher(),
    ) as live:
        status, output = await run(with_option(command, "--base-url", live.url), tmp_path)
    assert status == 0, output
    assert "FAILED" not in output and "COULD NOT RUN" not in output, output
    assert re.search(r"^(\d+) passed, 0 failed, 0 could not run$", output, re.MULTILINE), output
    assert output.count("\nPASSED ") >= 40, output


async def test_without_mailbox_or_token_those_checks_could_not_run(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    async with make_server() as live:
        status, output = await run(["chatcore-contract", "--base-url", live.url], tmp_path)
    assert status == 0, output
    assert "FAILED" not in output, output
    assert len(MAIL_CHECKS.findall(output)) == 5, output
    assert re.search(r"^COULD NOT RUN +tenants .* — no --admin-token given$", output, re.M)
    assert re.search(r"^COULD NOT RUN +cors .* — no --origin given", output, re.M)
    assert re.search(r"^PASSED +chat +POST /v1/chat streams", output, re.M), output


async def test_a_deployment_refusing_the_origin_fails_the_cors_checks(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    # The server lists no origin at all: the one given to the checks is refused.
    async with make_server() as live:
        status, output = await run(
            ["chatcore-contract", "--base-url", live.url, "--origin", "http://app.example", "-v"],
            tmp_path,
        )
    assert status == 1, output
    # -v shows pytest's own account too, down to the failing line.
    assert re.search(r"test_cors.py:\d+: in test_a_listed_origin_passes_the_preflight", output)
    failed = re.findall(r"^FAILED +(\w+) +(.*) — (.*)$", output, re.MULTILINE)
    assert {area for area, _, _ in failed} == {"cors"}, output
    preflight = [why for _, title, why in failed if title.startswith("A preflight from --origin")]
    assert preflight == ["AssertionError: Access-Control-Allow-Origin is None, not "
                         "'http://app.example', on OPTIONS /v1/chat"], failed  # fmt: skip
    assert re.search(rf"^\d+ passed, {len(failed)} failed, \d+ could not run$", output, re.M)


@pytest.mark.parametrize("base_url", ["unreachable", "not-a-url"])
async def test_an_unreachable_base_url_is_a_usage_error(tmp_path: Path, base_url: str) -> None:
    with socket.socket() as closed:  # bound, not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}" if base_url == "unreachable" else "x"
        status, output = await run(["chatcore-contract", "--base-url", url], tmp_path)
    assert status == 2, output
    assert output.startswith("chatcore-contract: cannot reach"), output
    assert "PASSED" not in output
