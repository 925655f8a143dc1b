"""Chat: the event order over SSE and over the WebSocket, and the stored dialog."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from chatcore_contract._accounts import Deployment, Principal
from chatcore_contract._support import (
    Event,
    chat_over_sse,
    could_not_run,
    expect,
    expect_fields,
    expect_reply,
    payload,
)

QUESTION = "Contract check: please answer in one short sentence."
LONG_QUESTION = "Contract check: please tell a long story, of at least five hundred words."
MESSAGE_FIELDS = {
    "id",
    "role",
    "content",
    "created_at",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
}
SOCKET_SECONDS = 60.0
STORED_SECONDS = 5.0


def test_chat_streams_meta_deltas_usage_done_over_sse(
    api: httpx.Client, principal: Principal
) -> None:
    """POST /v1/chat streams meta, delta*, usage, done with the contract's fields."""
    events = chat_over_sse(api, principal.token, QUESTION, use_documents=False)
    assert payload(events, "done")["finish_reason"] == "stop", events[-1]
    reply = "".join(data["text"] for name, data in events if name == "delta")
    assert reply, "the reply had no text"


def test_a_chat_is_stored_in_its_dialog(api: httpx.Client, principal: Principal) -> None:
    """After a chat, its dialog holds the question and the reply, oldest first."""
    events = chat_over_sse(api, principal.token, QUESTION, use_documents=False)
    meta = payload(events, "meta")
    dialog = expect(api.get(f"/v1/dialogs/{meta['dialog_id']}", headers=principal.headers), 200)
    messages = dialog["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"], messages
    for message in messages:
        expect_fields(message, MESSAGE_FIELDS, "a message")
    question, reply = messages
    assert (question["id"], question["content"]) == (meta["user_message_id"], QUESTION)
    assert question["finish_reason"] is None, question
    assert reply["id"] == meta["assistant_message_id"], reply
    assert reply["finish_reason"] == "stop", reply
    # Continuing the dialog adds to it.
    chat_over_sse(api, principal.token, QUESTION, dialog_id=meta["dialog_id"], use_documents=False)
    again = expect(api.get(f"/v1/dialogs/{meta['dialog_id']}", headers=principal.headers), 200)
    assert len(again["messages"]) == 4, again["messages"]


def test_chat_over_the_websocket_sends_the_same_events(
    deployment: Deployment, principal: Principal
) -> None:
    """WS /v1/ws/chat, signed in by a first auth frame, sends the same events as frames."""
    with chat_socket(deployment, principal.token) as socket:
        ask(socket, QUESTION)
        events = events_until(socket, "done")
    expect_reply(events)
    assert payload(events, "done")["finish_reason"] == "stop", events[-1]


def test_a_cancel_over_the_websocket_ends_the_reply_as_cancelled(
    api: httpx.Client, deployment: Deployment, principal: Principal
) -> None:
    """A cancel frame mid-reply ends it with usage, then done {finish_reason: cancelled}."""
    with chat_socket(deployment, principal.token) as socket:
        ask(socket, LONG_QUESTION)
        events = events_until(socket, "delta")
        socket.send(json.dumps({"type": "cancel"}))
        events += events_until(socket, "done")
    expect_reply(events)
    finish_reason = payload(events, "done")["finish_reason"]
    if finish_reason != "cancelled":
        could_not_run(f"the reply ended ({finish_reason}) before the cancel reached the server")
    dialog_id = payload(events, "meta")["dialog_id"]
    deadline = time.monotonic() + STORED_SECONDS
    while True:  # the server may store the reply a moment after it sent ``done``
        dialog = expect(api.get(f"/v1/dialogs/{dialog_id}", headers=principal.headers), 200)
        reply = dialog["messages"][-1]
        if reply["role"] == "assistant" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (reply["role"], reply["finish_reason"]) == ("assistant", "cancelled"), reply


@contextmanager
def chat_socket(deployment: Deployment, token: str) -> Iterator[ClientConnection]:
    """A chat socket, signed in by its first frame."""
    with connect(
        f"{deployment.ws_url}/v1/ws/chat",
        open_timeout=10,
        close_timeout=2,
        user_agent_header="chatcore-contract",
    ) as socket:
        socket.send(json.dumps({"type": "auth", "token": token}))
        yield socket


def ask(socket: ClientConnection, message: str) -> None:
    """Send a question, without documents."""
    socket.send(json.dumps({"type": "message", "message": message, "use_documents": False}))


def events_until(socket: ClientConnection, last: str) -> list[Event]:
    """The frames received up to the first ``last`` (or an ``error``), as events."""
    events: list[Event] = []
    while not events or events[-1][0] not in (last, "error"):
        frame: dict[str, Any] = json.loads(socket.recv(timeout=SOCKET_SECONDS))
        name = str(frame.pop("type"))
        events.append((name, frame))
    return events
