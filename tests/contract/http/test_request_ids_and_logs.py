"""``X-Request-ID`` on every response, the one log line per request, JSON logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from http_shell.telemetry.logs import ACCESS_LOGGER, JsonFormatter, RequestIdFilter, TextFormatter
from tests.contract.http.chat_support import anonymous, bearer

SANE = "req-42.abc_DEF:7/x+y=z@host~"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every log line of chatcore's loggers, as CHATCORE_LOG_FORMAT=json writes them."""
    yield from _captured(JsonFormatter())


def _captured(formatter: logging.Formatter) -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("chatcore")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_every_response_gets_a_new_id(client: Any) -> None:
    answers = [
        await client.get("/health"),
        await client.get("/no/such/path"),
        await client.delete("/health"),
        await client.post("/v1/dialogs", json={}),
    ]
    assert [a.status_code for a in answers] == [200, 404, 405, 401]
    ids = [a.headers["x-request-id"] for a in answers]
    assert len(set(ids)) == len(ids)
    assert all(0 < len(i) <= 128 and i.isascii() for i in ids)


async def test_a_sane_client_id_comes_back(client: Any) -> None:
    response = await client.get("/health", headers={"X-Request-ID": SANE})
    assert response.headers["x-request-id"] == SANE
    assert response.headers.get_list("x-request-id") == [SANE]


@pytest.mark.parametrize(
    "sent",
    [
        "",
        "x" * 129,
        "has space",
        'quote"d',
        "new\\nline",
        "tab\tin",
        "caf\u00e9".encode(),
        b"\xff\xfe",
        "semi;colon",
        "<script>",
    ],
)
async def test_anything_else_is_replaced(client: Any, sent: str | bytes) -> None:
    response = await client.get("/health", headers={"X-Request-ID": sent})
    given = response.headers["x-request-id"]
    assert given != (sent if isinstance(sent, str) else sent.decode("latin-1"))
    assert 0 < len(given) <= 128


async def test_a_streamed_reply_carries_its_id(client: Any) -> None:
    token = await anonymous(client)
    response = await client.post(
        "/v1/chat",
        json={"message": "hello"},
        headers={**bearer(token), "Accept": "text/event-stream", "X-Request-ID": SANE},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == SANE


async def test_a_json_line_per_request_holds_its_id_route_status_and_duration(
    client: Any, json_lines: io.StringIO
) -> None:
    token = await anonymous(client)
    secret_query = "token=very-secret-value"
    await client.get(
        f"/v1/dialogs/00000000-0000-4000-8000-000000000000?{secret_query}",
        headers={**bearer(token), "X-Request-ID": SANE},
    )
    (line,) = [e for e in lines_of(json_lines) if e["request_id"] == SANE]
    assert line["logger"] == ACCESS_LOGGER and line["level"] == "INFO"
    assert line["method"] == "GET" and line["status"] == 404
    assert line["route"].startswith("/v1/dialogs/{")
    assert isinstance(line["duration"], float) and line["duration"] >= 0
    assert line["time"].endswith("Z")
    assert "00000000-0000" not in line["message"]
    text = json_lines.getvalue()
    assert "very-secret-value" not in text and token not in text


async def test_every_line_of_a_request_carries_its_id_and_no_message_text(
    client: Any, json_lines: io.StringIO
) -> None:
    token = await anonymous(client)
    question = "my private question about puffins"
    await client.post(
        "/v1/chat",
        json={"message": question},
        headers={**bearer(token), "Accept": "text/event-stream", "X-Request-ID": SANE},
    )
    logging.getLogger("chatcore.dialogs").info("written while serving")  # outside: no id
    lines = lines_of(json_lines)
    assert [e for e in lines if e["request_id"] == SANE]
    assert lines[-1]["request_id"] is None
    assert question not in json_lines.getvalue()


async def test_a_text_line_names_the_id_too(client: Any) -> None:
    for stream in _captured(TextFormatter()):
        await client.get("/health", headers={"X-Request-ID": SANE})
        (line,) = [x for x in stream.getvalue().splitlines() if "/health" in x]
        assert f"[{SANE}]" in line and "GET /health 200" in line
