"""The README's "Use any OpenAI client" snippet runs as written against a server,
streaming a reply through the official SDK with an API key."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from tests.contract.http.conftest import ServerFactory
from tests.support.signing_in import bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer
from tests.unit.test_readme_snippets import environment, python_block

# The address of `make run`; the test's server listens on a free port instead.
README_URL = "http://127.0.0.1:8000"


async def test_the_openai_snippet_streams_a_reply_with_an_api_key(
    make_mail_server: ServerFactory, smtp: CapturingSmtpServer, tmp_path: Path
) -> None:
    snippet = python_block("Use any OpenAI client")
    assert README_URL in snippet
    async with make_mail_server() as live:
        token = (await sign_in_by_code(live.client, smtp, "reader@example.test"))["access_token"]
        made = await live.client.post(
            "/v1/api-keys", json={"name": "readme"}, headers=bearer(token)
        )
        assert made.status_code == 201, made.text
        (tmp_path / "openai_client.py").write_text(snippet.replace(README_URL, live.url))
        # In a thread: the server runs on this event loop.
        run = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "openai_client.py"],
            cwd=tmp_path,
            env=environment(CHATCORE_API_KEY=made.json()["key"]),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        listed = await live.client.get("/v1/api-keys", headers=bearer(token))
    assert run.returncode == 0, run.stdout + run.stderr
    *reply, usage = run.stdout.splitlines()
    assert "".join(reply).strip()
    spent = listed.json()["items"][0]["total_tokens_this_month"]
    assert usage == f"[{spent} tokens]"
