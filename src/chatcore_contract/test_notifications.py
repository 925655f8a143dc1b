"""``WS /v1/ws``: a principal's socket hears about its own changes."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from chatcore_contract._accounts import Deployment, Principal
from chatcore_contract._support import expect_status

WAIT_SECONDS = 60.0


def test_the_socket_says_when_an_upload_is_ready(
    api: httpx.Client, deployment: Deployment, principal: Principal
) -> None:
    """WS /v1/ws answers an auth frame with ready, then sends document_ready on ingestion."""
    with connect(
        f"{deployment.ws_url}/v1/ws",
        open_timeout=10,
        close_timeout=2,
        user_agent_header="chatcore-contract",
    ) as socket:
        socket.send(json.dumps({"type": "auth", "token": principal.token}))
        first: dict[str, Any] = json.loads(socket.recv(timeout=10))
        assert first.get("type") == "ready", first
        content = f"Contract check notice {secrets.token_hex(8)}.\n".encode()
        response = api.post(
            "/v1/documents",
            files={"file": ("contract-notice.txt", content, "text/plain")},
            headers=principal.headers,
        )
        assert response.status_code in (201, 202), f"{response.status_code} {response.text[:300]}"
        document_id = response.json()["id"]
        try:
            heard = frame_about(socket, document_id)
        finally:
            deleted = api.delete(f"/v1/documents/{document_id}", headers=principal.headers)
            expect_status(deleted, 204)
    assert heard.get("type") == "document_ready", heard


def frame_about(socket: ClientConnection, document_id: str) -> dict[str, Any]:
    """The first frame about ``document_id`` (heartbeats and other news are passed over)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            frame: dict[str, Any] = json.loads(socket.recv(timeout=left))
        except TimeoutError:
            break
        if frame.get("document_id") == document_id:
            return frame
    raise AssertionError(f"no event about the upload within {WAIT_SECONDS:g} s")
