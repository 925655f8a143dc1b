"""Schemathesis against a real server: every operation of the OpenAPI document, with
every check, must answer as the document says (statuses, content types, headers,
bodies), accept what it declares valid and refuse what it declares invalid."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from adapters.security.argon2 import Argon2PasswordHasher
from tests.contract.http.conftest import ServerFactory
from tests.support.app import ADMIN_TOKEN
from tests.support.signing_in import code_in
from tests.support.smtp_server import CapturingSmtpServer

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
FUZZER_EMAIL = "fuzzer@example.com"
# A bound, not the expected time: the run itself is bounded by the configuration.
RUN_SECONDS = 400


async def signed_in_token(url: str, smtp: CapturingSmtpServer) -> str:
    """A bearer token of a user signed in by mailed code."""
    async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
        asked = await client.post("/v1/auth/otp/request", json={"email": FUZZER_EMAIL})
        assert asked.status_code == 202, asked.text
        code = code_in(await smtp.mail_to(FUZZER_EMAIL))
        answer = {"email": FUZZER_EMAIL, "code": code}
        verified = await client.post("/v1/auth/otp/verify", json=answer)
        assert verified.status_code == 200, verified.text
        token: str = verified.json()["access_token"]
        return token


async def test_every_operation_answers_as_the_openapi_document_says(
    make_mail_server: ServerFactory, smtp: CapturingSmtpServer, tmp_path: Path
) -> None:
    # The cheapest argon2id: the fuzzer signs up and in often, and checks answers, not cost.
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    async with make_mail_server(password_hasher=hasher) as live:
        token = await signed_in_token(live.url, smtp)
        command = [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "run",
            f"{live.url}/schema/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--header",
            f"X-Admin-Token: {ADMIN_TOKEN}",
            "--report-dir",
            str(tmp_path / "report"),
        ]
        output = tmp_path / "schemathesis.txt"
        with output.open("w") as out:
            # In a thread: the server under test runs on this event loop.
            run = await asyncio.to_thread(
                subprocess.run,
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=RUN_SECONDS,
                cwd=tmp_path,  # where it keeps its caches
            )
    assert run.returncode == 0, output.read_text()[-30000:]
