"""The OpenAI-compatible routes at their edges, over raw HTTP: the exact bytes of a
stream, errors in OpenAI's shape for malformed, oversized, unauthenticated and
cross-site requests, fields OpenAI clients send that chatcore does not use, and a
client that hangs up mid-stream (its usage is still recorded)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.contract.http.conftest import ServerFactory
from tests.support.signing_in import Client, bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer

COMPLETIONS = "/v1/chat/completions"
BODY = {"model": "chatcore", "messages": [{"role": "user", "content": "Hello"}]}


async def key_of(client: Client, smtp: CapturingSmtpServer) -> tuple[str, str]:
    """A user's access token and a fresh API key of theirs."""
    token = (await sign_in_by_code(client, smtp, "edge@example.test"))["access_token"]
    client.cookies.clear()
    made = await client.post("/v1/api-keys", json={"name": "edge"}, headers=bearer(token))
    assert made.status_code == 201, made.text
    return token, made.json()["key"]


def assert_openai_error(response: Any, status: int, code: str, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert (error["code"], error["type"]) == (code, kind)
    return error


async def test_a_stream_is_data_lines_of_chunks_ending_done(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    _, key = await key_of(mail_client, smtp)
    response = await mail_client.post(
        COMPLETIONS,
        json={**BODY, "stream": True, "stream_options": {"include_usage": True}},
        headers=bearer(key),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.endswith("\n\ndata: [DONE]\n\n")
    frames = response.text.split("\n\n")[:-1]
    assert all(frame.startswith("data: ") and "\n" not in frame for frame in frames)
    chunks = [json.loads(frame.removeprefix("data: ")) for frame in frames[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert chunks[-2]["choices"][0] == {
        "index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"
    }  # fmt: skip
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0
    assert all(chunk["usage"] is None for chunk in chunks[:-1])
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}


async def test_fields_openai_clients_send_and_chatcore_does_not_use_are_ignored(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    _, key = await key_of(mail_client, smtp)
    body = {
        **BODY,
        "frequency_penalty": 0,
        "presence_penalty": 0,
        "logit_bias": {},
        "seed": 7,
        "n": 1,
        "stop": "\n\n",
        "messages": [{"role": "developer", "content": "Be kind."}, *BODY["messages"]],
    }
    response = await mail_client.post(COMPLETIONS, json=body, headers=bearer(key))
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"]


async def test_bad_requests_are_answered_in_openais_shape(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token, key = await key_of(mail_client, smtp)
    no_key = await mail_client.post(COMPLETIONS, json=BODY)
    assert_openai_error(no_key, 401, "not_authenticated", "authentication_error")
    wrong_key = await mail_client.get("/v1/models", headers=bearer("ck_" + "z" * 43))
    assert_openai_error(wrong_key, 401, "not_authenticated", "authentication_error")
    json_type = {**bearer(key), "Content-Type": "application/json"}
    malformed = await mail_client.post(COMPLETIONS, content=b'{"model": ', headers=json_type)
    assert_openai_error(malformed, 400, "malformed_body", "invalid_request_error")
    as_text = await mail_client.post(
        COMPLETIONS, content=json.dumps(BODY), headers={**bearer(key), "Content-Type": "text/plain"}
    )
    assert_openai_error(as_text, 415, "unsupported_media_type", "invalid_request_error")
    missing = await mail_client.post(COMPLETIONS, json={"model": "chatcore"}, headers=bearer(key))
    error = assert_openai_error(missing, 400, "validation_failed", "invalid_request_error")
    assert error["param"] == "messages"
    huge = {**BODY, "messages": [{"role": "user", "content": "x" * 200_000}]}
    too_long = await mail_client.post(COMPLETIONS, json=huge, headers=bearer(key))
    assert_openai_error(too_long, 400, "validation_failed", "invalid_request_error")
    oversized = await mail_client.post(
        COMPLETIONS, content=b" " * 12_000_000 + json.dumps(BODY).encode(), headers=json_type
    )
    assert oversized.status_code == 413
    assert oversized.json()["error"]["code"] == "payload_too_large"
    mail_client.cookies.set("chatcore_session", token)
    cross_site = await mail_client.post(
        COMPLETIONS, json=BODY, headers={"Origin": "https://evil.example"}
    )
    assert_openai_error(cross_site, 403, "csrf_rejected", "permission_error")


async def test_a_client_that_hangs_up_mid_stream_is_still_billed(
    make_mail_server: ServerFactory, smtp: CapturingSmtpServer
) -> None:
    async with make_mail_server(local_model_wps="20") as live:
        token, key = await key_of(live.client, smtp)
        body = {**BODY, "stream": True, "messages": [{"role": "user", "content": "Tell a story"}]}
        async with live.client.stream(
            "POST", COMPLETIONS, json=body, headers=bearer(key)
        ) as response:
            async for line in response.aiter_lines():
                if '"content":"' in line and '"content":""' not in line:
                    break  # the first words: hang up
        for _ in range(200):
            listed = await live.client.get("/v1/api-keys", headers=bearer(token))
            if listed.json()["items"][0]["total_tokens_this_month"] > 0:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the abandoned completion was not billed")
