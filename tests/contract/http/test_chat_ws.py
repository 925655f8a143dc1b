"""``WS /v1/ws/chat`` over a real server: auth, events as frames, cancel, limits, revocation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import pytest_asyncio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.contract.http.chat_support import (
    anonymous,
    bearer,
    eventually,
    no_new_tasks,
    stored_messages,
    stored_reply,
)
from tests.contract.http.conftest import ServerFactory
from tests.contract.http.test_foundation import ADMIN
from tests.support.live_server import LiveServer

COOKIE = "chatcore_session"


@pytest_asyncio.fixture
async def live(make_server: ServerFactory) -> AsyncIterator[LiveServer]:
    """A served app on the local model, replying at once."""
    async with make_server() as server:
        yield server


@pytest_asyncio.fixture
async def slow(make_server: ServerFactory) -> AsyncIterator[LiveServer]:
    """A served app on the local model at five words a second, to cancel mid-reply."""
    async with make_server(local_model_wps="5") as server:
        yield server


@asynccontextmanager
async def open_socket(
    live: LiveServer,
    *,
    token: str | None = None,
    cookie: str | None = None,
    origin: str | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[ClientConnection]:
    """A socket to the chat, authenticated by a first frame with ``token`` if given."""
    extra = {**(headers or {}), **({"Cookie": f"{COOKIE}={cookie}"} if cookie else {})}
    async with connect(
        live.ws_url + "/v1/ws/chat",
        origin=origin,  # type: ignore[arg-type]
        additional_headers=extra,
        proxy=None,
        compression=None,
    ) as socket:
        if token is not None:
            await socket.send(json.dumps({"type": "auth", "token": token}))
        yield socket


async def receive(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await socket.recv())
    return frame


async def reply_frames(socket: ClientConnection) -> list[dict[str, Any]]:
    """Frames up to and including ``done`` or ``error``."""
    frames = [await receive(socket)]
    while frames[-1]["type"] not in {"done", "error"}:
        frames.append(await receive(socket))
    return frames


async def ask(socket: ClientConnection, message: str, **fields: Any) -> list[dict[str, Any]]:
    await socket.send(json.dumps({"type": "message", "message": message, **fields}))
    return await reply_frames(socket)


async def closed_with(socket: ClientConnection) -> int | None:
    """The close code the server sent, reading whatever came before it."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await socket.recv()
    return closed.value.rcvd.code if closed.value.rcvd else None


def types(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["type"] for frame in frames]


async def test_first_frame_auth_then_a_reply_as_frames(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, token=token) as socket:
        frames = await ask(socket, "What can you do?")
    assert types(frames)[0] == "meta"
    assert set(types(frames)[1:-2]) == {"delta"}
    assert types(frames)[-2:] == ["usage", "done"]
    meta, usage, done = frames[0], frames[-2], frames[-1]
    assert set(meta) == {"type", "dialog_id", "user_message_id", "assistant_message_id"}
    assert set(usage) == {"type", "prompt_tokens", "completion_tokens"}
    assert done == {"type": "done", "finish_reason": "stop"}
    assert all(set(frame) == {"type", "text"} for frame in frames[1:-2])
    text = "".join(frame["text"] for frame in frames[1:-2])
    stored = await stored_messages(live.client, token, meta["dialog_id"])
    assert [m["id"] for m in stored] == [meta["user_message_id"], meta["assistant_message_id"]]
    assert stored[1]["content"] == text
    assert (stored[1]["prompt_tokens"], stored[1]["completion_tokens"]) == (
        usage["prompt_tokens"],
        usage["completion_tokens"],
    )


async def test_a_socket_continues_a_dialog_and_reports_unknown_ones(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, token=token) as socket:
        first = await ask(socket, "Hello")
        dialog_id = first[0]["dialog_id"]
        second = await ask(socket, "Again", dialog_id=dialog_id)
        assert second[0]["dialog_id"] == dialog_id
        unknown = await ask(socket, "Hi", dialog_id="00000000-0000-4000-8000-000000000000")
        assert [(f["type"], f["code"]) for f in unknown] == [("error", "not_found")]
        empty = await ask(socket, "   ")
        assert [(f["type"], f["code"]) for f in empty] == [("error", "validation_failed")]
        # The socket is still good after those errors.
        assert types(await ask(socket, "Still there?"))[-1] == "done"
    stored = await stored_messages(live.client, token, dialog_id)
    assert [m["content"] for m in stored][::2] == ["Hello", "Again"]


async def test_the_session_cookie_authenticates_a_socket(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, cookie=token) as socket:
        assert types(await ask(socket, "Hello"))[-1] == "done"
    async with open_socket(live, cookie=token, origin=live.url) as socket:
        assert types(await ask(socket, "Hello"))[-1] == "done"


async def test_a_cookie_socket_from_a_foreign_origin_is_refused(live: LiveServer) -> None:
    token = await anonymous(live.client)
    with pytest.raises(InvalidStatus) as refused:
        async with open_socket(live, cookie=token, origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    # The same origin check does not stand in the way of a token in the first frame.
    async with open_socket(live, token=token, origin="https://elsewhere.example") as socket:
        assert types(await ask(socket, "Hello"))[-1] == "done"


async def test_a_cookie_socket_takes_an_auth_frame_of_its_own_principal_silently(
    live: LiveServer,
) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, cookie=token) as socket:
        # A page that cannot tell whether its cookie got through sends the token too.
        await socket.send(json.dumps({"type": "auth", "token": token}))
        frames = await ask(socket, "Hello")
        assert types(frames)[0] == "meta"
        assert types(frames)[-1] == "done"


async def test_an_auth_frame_of_another_principal_is_an_error_and_the_socket_stays_the_firsts(
    live: LiveServer,
) -> None:
    token, other = await anonymous(live.client), await anonymous(live.client)
    async with open_socket(live, cookie=token) as socket:
        await socket.send(json.dumps({"type": "auth", "token": other}))
        error = await receive(socket)
        assert (error["type"], error["code"]) == ("error", "forbidden")
        await socket.send(json.dumps({"type": "auth", "token": "not-a-token"}))
        assert (await receive(socket))["type"] == "error"
        dialog_id = (await ask(socket, "Whose?"))[0]["dialog_id"]
    stored = await stored_messages(live.client, token, dialog_id)
    assert stored[0]["content"] == "Whose?"
    theirs = await live.client.get(f"/v1/dialogs/{dialog_id}", headers=bearer(other))
    assert theirs.status_code == 404


@pytest.mark.parametrize(
    "first",
    [
        {"type": "message", "message": "Hi"},
        {"type": "auth", "token": "not-a-token"},
        {"type": "auth"},
        "not json",
    ],
)
async def test_without_a_valid_credential_the_socket_is_closed_1008(
    live: LiveServer, first: Any
) -> None:
    async with open_socket(live) as socket:
        await socket.send(first if isinstance(first, str) else json.dumps(first))
        error = await receive(socket)
        assert error["type"] == "error"
        assert error["code"] in {"not_authenticated", "token_invalid", "invalid_credentials"}
        assert await closed_with(socket) == 1008


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1_000, 30_000])
async def test_a_deeply_nested_frame_is_an_error_frame_and_the_socket_lives_on(
    live: LiveServer, depth: int
) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, token=token) as socket:
        for frame in (
            nested(depth),
            f'{{"type": "message", "message": {nested(depth)}}}',
            f'{{"type": "message", "message": "Hi", "extra": {nested(depth)}}}',
        ):
            await socket.send(frame)
            error = await receive(socket)
            assert (error["type"], error["code"]) == ("error", "validation_failed")
        assert types(await ask(socket, "Still there?"))[-1] == "done"
    async with open_socket(live) as socket:
        await socket.send(f'{{"type": "auth", "token": {nested(depth)}}}')
        assert (await receive(socket))["code"] == "not_authenticated"
        assert await closed_with(socket) == 1008


async def test_a_token_in_the_url_does_not_authenticate(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with connect(
        f"{live.ws_url}/v1/ws/chat?token={token}", proxy=None, compression=None
    ) as socket:
        await socket.send(json.dumps({"type": "message", "message": "Hi"}))
        assert (await receive(socket))["code"] == "not_authenticated"
        assert await closed_with(socket) == 1008


async def test_a_frame_over_64_kib_closes_the_socket_1009(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, token=token) as socket:
        await socket.send(json.dumps({"type": "message", "message": "x" * (64 * 1024)}))
        assert await closed_with(socket) == 1009


async def test_cancel_stops_the_reply_which_ends_with_usage_and_done(slow: LiveServer) -> None:
    token = await anonymous(slow.client)
    async with open_socket(slow, token=token) as socket:
        await socket.send(json.dumps({"type": "message", "message": "Tell me everything"}))
        meta, first = await receive(socket), await receive(socket)
        assert (meta["type"], first["type"]) == ("meta", "delta")
        await socket.send(json.dumps({"type": "cancel"}))
        rest = await reply_frames(socket)
        assert set(types(rest)[:-2]) <= {"delta"}
        assert types(rest)[-2:] == ["usage", "done"]
        assert rest[-1] == {"type": "done", "finish_reason": "cancelled"}
        # The socket takes the next question.
        await socket.send(json.dumps({"type": "message", "message": "Next"}))
        assert (await receive(socket))["type"] == "meta"
    text = first["text"] + "".join(frame["text"] for frame in rest[:-2])
    stored = await stored_messages(slow.client, token, meta["dialog_id"])
    assert stored[1]["finish_reason"] == "cancelled"
    assert stored[1]["content"] == text
    assert rest[-2]["completion_tokens"] == stored[1]["completion_tokens"]


async def test_a_socket_that_leaves_mid_reply_leaves_it_running_and_stoppable(
    slow: LiveServer,
) -> None:
    token = await anonymous(slow.client)
    baseline = set(asyncio.all_tasks())
    async with open_socket(slow, token=token) as socket:
        await socket.send(json.dumps({"type": "message", "message": "Tell me everything"}))
        meta, first = await receive(socket), await receive(socket)
    await asyncio.sleep(0.5)  # some words later
    (_, reply) = await stored_messages(slow.client, token, meta["dialog_id"])
    assert reply["finish_reason"] is None  # in progress, though nobody listens
    stopped = await slow.client.post(
        f"/v1/chat/{meta['assistant_message_id']}/stop", headers=bearer(token)
    )
    assert stopped.status_code == 204
    await slow.container.use_cases.live_replies().drain()
    reply = await stored_reply(slow.client, token, meta["dialog_id"])
    assert reply["finish_reason"] == "cancelled"
    assert reply["content"].startswith(first["text"]) and reply["content"] != first["text"]
    await no_new_tasks(baseline)
    # None held for good (the job worker takes one now and then).
    pool = slow.container.adapters.engine().pool
    await eventually(lambda: pool.checkedout() == 0)


async def test_a_resume_frame_continues_a_reply_exactly_where_the_offset_ends(
    make_server: ServerFactory,
) -> None:
    async with make_server(local_model_wps="40") as brisk:
        await resume_over_a_new_socket(brisk)


async def resume_over_a_new_socket(slow: LiveServer) -> None:
    token = await anonymous(slow.client)
    async with open_socket(slow, token=token) as socket:
        await socket.send(json.dumps({"type": "message", "message": "Tell me everything"}))
        meta, first = await receive(socket), await receive(socket)
    had = first["text"]
    async with open_socket(slow, token=token) as socket:
        resume = {"message_id": meta["assistant_message_id"], "offset": len(had)}
        await socket.send(json.dumps({"type": "resume", **resume}))
        assert await receive(socket) == meta
        frames = await reply_frames(socket)
    assert types(frames)[-2:] == ["usage", "done"] and frames[-1]["finish_reason"] == "stop"
    rest = "".join(frame["text"] for frame in frames if frame["type"] == "delta")
    stored = await stored_reply(slow.client, token, meta["dialog_id"])
    assert had + rest == stored["content"]


async def test_a_resume_frame_for_another_principals_reply_is_not_found(slow: LiveServer) -> None:
    token, other = await anonymous(slow.client), await anonymous(slow.client)
    async with open_socket(slow, token=token) as socket:
        await socket.send(json.dumps({"type": "message", "message": "Mine"}))
        meta = await receive(socket)
        async with open_socket(slow, token=other) as intruder:
            resume = {"message_id": meta["assistant_message_id"], "offset": 0}
            await intruder.send(json.dumps({"type": "resume", **resume}))
            assert (await receive(intruder))["code"] == "not_found"
            await intruder.send(json.dumps({"type": "resume", "message_id": "nope"}))
            assert (await receive(intruder))["code"] == "validation_failed"
            await intruder.send(json.dumps({"type": "resume", **resume, "offset": -1}))
            assert (await receive(intruder))["code"] == "validation_failed"
        await socket.send(json.dumps({"type": "cancel"}))
        frames = await reply_frames(socket)
        assert frames[-1] == {"type": "done", "finish_reason": "cancelled"}


async def test_one_reply_at_a_time(slow: LiveServer) -> None:
    token = await anonymous(slow.client)
    async with open_socket(slow, token=token) as socket:
        await socket.send(json.dumps({"type": "message", "message": "First"}))
        assert (await receive(socket))["type"] == "meta"
        await socket.send(json.dumps({"type": "message", "message": "Second"}))
        frame = await receive(socket)
        while frame["type"] == "delta":
            frame = await receive(socket)
        assert (frame["type"], frame["code"]) == ("error", "busy")


async def test_too_many_frames_are_refused(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, token=token) as socket:
        for _ in range(25):
            await socket.send(json.dumps({"type": "cancel"}))
        error = await receive(socket)
        assert (error["type"], error["code"]) == ("error", "rate_limited")


async def test_a_revoked_session_closes_the_socket(live: LiveServer) -> None:
    token = await anonymous(live.client)
    async with open_socket(live, token=token) as socket:
        assert types(await ask(socket, "Hello"))[-1] == "done"
        logout = await live.client.post("/v1/auth/logout", headers=bearer(token))
        assert logout.status_code == 204
        await socket.send(json.dumps({"type": "message", "message": "Still me?"}))
        error = await receive(socket)
        assert error["type"] == "error"
        assert await closed_with(socket) == 1008


async def test_the_tenant_of_a_socket_is_the_one_in_its_credential(live: LiveServer) -> None:
    created = await live.client.post(
        "/v1/tenants", json={"slug": "acme", "name": "Acme"}, headers=ADMIN
    )
    assert created.status_code == 201, created.text
    token = await anonymous(live.client, tenant="acme")
    # The header names another tenant; the socket still serves the credential's.
    async with open_socket(live, token=token, headers={"X-Tenant-ID": "default"}) as socket:
        dialog_id = (await ask(socket, "Hello"))[0]["dialog_id"]
    in_acme = await live.client.get(
        f"/v1/dialogs/{dialog_id}", headers={**bearer(token), "X-Tenant-ID": "acme"}
    )
    assert in_acme.status_code == 200
    assert in_acme.json()["title"] == "Hello"
    elsewhere = await live.client.get(
        f"/v1/dialogs/{dialog_id}", headers={**bearer(token), "X-Tenant-ID": "default"}
    )
    assert elsewhere.status_code == 403
    assert elsewhere.json()["code"] == "tenant_mismatch"
