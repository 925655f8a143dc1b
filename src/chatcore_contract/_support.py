"""What the checks share: skipping with a reason, problem documents, SSE and event order."""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

import httpx
import pytest

PROBLEM_JSON = "application/problem+json"
SSE = {"Accept": "text/event-stream"}
# Each event of a reply, with the fields of its payload (README, "Chat" and "Documents").
EVENT_FIELDS = {
    "meta": {"dialog_id", "user_message_id", "assistant_message_id"},
    "delta": {"text"},
    "citations": {"items"},
    "usage": {"prompt_tokens", "completion_tokens"},
    "done": {"finish_reason"},
}
CITATION_FIELDS = {"document_id", "filename", "page", "chunk_id", "score"}
_ORDER = re.compile(r"md*c?ux")  # meta, delta*, citations?, usage, done
_LETTER = {"meta": "m", "delta": "d", "citations": "c", "usage": "u", "done": "x"}

Event = tuple[str, dict[str, Any]]


def could_not_run(why: str) -> NoReturn:
    """End the check as one that could not run against this deployment, saying why."""
    pytest.skip(f"could not run: {why}")


def unless_disabled(response: httpx.Response, what: str) -> httpx.Response:
    """The response, unless it says the tenant turned ``what`` off: then the check
    could not run."""
    if response.status_code == 403 and _code(response) == "auth_method_disabled":
        could_not_run(f"the tenant does not offer {what}")
    return response


def bearer(token: str) -> dict[str, str]:
    """Headers authenticating with ``token``."""
    return {"Authorization": f"Bearer {token}"}


def expect_status(response: httpx.Response, status: int) -> None:
    """Fail unless the response has ``status``, showing what came instead."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: expected {status}, "
        f"got {response.status_code} {response.text[:300]}"
    )


def expect(response: httpx.Response, status: int) -> Any:
    """The JSON body of a response that must have ``status``."""
    expect_status(response, status)
    return response.json()


def expect_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The problem document of a response that must be ``status`` with ``code``."""
    assert (response.status_code, _code(response)) == (status, code), (
        f"{response.request.method} {response.request.url.path}: expected {status} {code}, "
        f"got {response.status_code} {response.text[:300]}"
    )
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith(PROBLEM_JSON), f"content type {content_type!r}"
    problem: dict[str, Any] = response.json()
    missing = {"type", "title", "status", "detail", "code"} - problem.keys()
    assert not missing, f"the problem document lacks {sorted(missing)}: {problem}"
    assert problem["status"] == status
    return problem


def expect_fields(payload: dict[str, Any], fields: set[str], what: str) -> None:
    """Fail unless ``payload`` has every one of ``fields``."""
    missing = fields - payload.keys()
    assert not missing, f"{what} lacks {sorted(missing)}: {payload}"


def session_cookie(response: httpx.Response) -> str:
    """The ``Set-Cookie`` header setting the session cookie; fails when there is none."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("chatcore_session="):
            return header
    raise AssertionError(f"no chatcore_session cookie was set: {response.headers}")


def parse_sse(text: str, *, comments: bool = False) -> list[Event]:
    """The ``(event, data)`` pairs of an SSE body; comments (keep-alives) are left out,
    or with ``comments`` kept where they came as ``(":", {"comment": text})``."""
    events: list[Event] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith(":") and comments:
                events.append((":", {"comment": line[1:].strip()}))
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def chat_over_sse(api: httpx.Client, token: str, message: str, **body: Any) -> list[Event]:
    """The events of one ``POST /v1/chat``, checked for order and fields."""
    response = api.post(
        "/v1/chat", json={"message": message, **body}, headers={**bearer(token), **SSE}
    )
    expect_status(response, 200)
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/event-stream"), f"content type {content_type!r}"
    events = parse_sse(response.text)
    expect_reply(events)
    return events


def expect_reply(events: list[Event]) -> None:
    """Fail unless the events are meta, delta*, citations?, usage, done, with their fields."""
    for name, data in events:
        assert name != "error", f"the reply failed: {data}"
    names = [name for name, _ in events]
    order = "".join(_LETTER.get(name, "?") for name in names)
    assert _ORDER.fullmatch(order), f"events out of order: {names}"
    for name, data in events:
        expect_fields(data, EVENT_FIELDS[name], f"the {name} event")
    for _, data in (event for event in events if event[0] == "citations"):
        for item in data["items"]:
            expect_fields(item, CITATION_FIELDS, "a citation")


def payload(events: list[Event], name: str) -> dict[str, Any]:
    """The data of the first event called ``name``."""
    return next(data for event, data in events if event == name)


def _code(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None
