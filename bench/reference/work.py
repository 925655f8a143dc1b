"""The work both references do, by hand: verify the JWT, read the session row, read a
page of dialogs with SQLAlchemy Core, relay a model stream read with httpx and
decoded with msgspec. Configured from ``BENCH_DATABASE_URL``, ``BENCH_SECRET_KEY``
and ``BENCH_MODEL_URL`` (an OpenAI-compatible base URL ending in ``/v1``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import jwt
import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

HEALTH = b'{"status":"ok","version":"0.1.0"}'

_KEY = os.environ["BENCH_SECRET_KEY"].encode()
_CLAIMS = ["iss", "aud", "sub", "sid", "tid", "iat", "exp", "jti"]
_engine = create_async_engine(os.environ["BENCH_DATABASE_URL"], pool_size=10, max_overflow=10)
# As many connections as chatcore's default (2,000), so neither queues on its pool,
# and split like chatcore's into pools of 64: httpcore scans every connection of a
# pool on each request and release, which grows quadratic with one big pool.
_POOLS, _PER_POOL = 32, 64
_models = [
    httpx.AsyncClient(
        base_url=os.environ.get("BENCH_MODEL_URL", "http://127.0.0.1:9/v1"),
        limits=httpx.Limits(max_connections=_PER_POOL, max_keepalive_connections=_PER_POOL),
        timeout=httpx.Timeout(60.0, connect=10.0),
    )
    for _ in range(_POOLS)
]
_in_flight = [0] * _POOLS

_meta = sa.MetaData()
_sessions = sa.Table(
    "sessions",
    _meta,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid),
    sa.Column("principal_id", sa.Uuid),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
)
_dialogs = sa.Table(
    "dialogs",
    _meta,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant_id", sa.Uuid),
    sa.Column("owner_id", sa.Uuid),
    sa.Column("title", sa.String),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)


class Unauthorized(Exception):
    """No valid credential."""


class Caller(msgspec.Struct, frozen=True):
    tenant_id: uuid.UUID
    principal_id: uuid.UUID


class DialogOut(msgspec.Struct):
    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class DialogPage(msgspec.Struct):
    items: list[DialogOut]
    next_cursor: str | None


class ChatBody(msgspec.Struct, forbid_unknown_fields=True):
    message: str
    use_documents: bool = False  # accepted as chatcore accepts it; there is nothing to search


async def caller(authorization: str | None) -> Caller:
    """The owner of a bearer token whose session row is live; raises Unauthorized."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized
    try:
        claims = jwt.decode(
            token,
            _KEY,
            algorithms=["HS256"],
            audience="chatcore",
            issuer="chatcore",
            options={"require": _CLAIMS},
        )
        session_id, tenant_id = uuid.UUID(claims["sid"]), uuid.UUID(claims["tid"])
        subject = uuid.UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError) as exc:
        raise Unauthorized from exc
    async with _engine.connect() as connection:
        row = (
            await connection.execute(
                sa.select(_sessions.c.principal_id, _sessions.c.expires_at).where(
                    _sessions.c.id == session_id, _sessions.c.tenant_id == tenant_id
                )
            )
        ).first()
    if row is None or row.principal_id != subject or _utc(row.expires_at) <= datetime.now(UTC):
        raise Unauthorized
    return Caller(tenant_id, subject)


async def dialog_page(who: Caller, limit: int) -> DialogPage:
    """The caller's newest ``limit`` dialogs, and whether more follow."""
    async with _engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.select(
                    _dialogs.c.id, _dialogs.c.title, _dialogs.c.created_at, _dialogs.c.updated_at
                )
                .where(
                    _dialogs.c.tenant_id == who.tenant_id, _dialogs.c.owner_id == who.principal_id
                )
                .order_by(_dialogs.c.created_at.desc(), _dialogs.c.id.desc())
                .limit(limit + 1)
            )
        ).all()
    items = [DialogOut(r.id, r.title, _utc(r.created_at), _utc(r.updated_at)) for r in rows[:limit]]
    cursor = f"{items[-1].created_at.isoformat()}/{items[-1].id}" if len(rows) > limit else None
    return DialogPage(items, cursor)


class _Delta(msgspec.Struct):
    content: str | None = None


class _Choice(msgspec.Struct):
    delta: _Delta


class _Usage(msgspec.Struct):
    prompt_tokens: int
    completion_tokens: int


class _Chunk(msgspec.Struct):
    choices: list[_Choice] = []
    usage: _Usage | None = None


_decode_chunk = msgspec.json.Decoder(_Chunk).decode


async def relay(message: str) -> AsyncIterator[tuple[str, bytes]]:
    """The model's reply as (event name, JSON data): meta, delta*, usage, done."""
    yield "meta", msgspec.json.encode({"dialog_id": str(uuid.uuid4())})
    usage = _Usage(0, 0)
    request = {
        "model": "bench",
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": message}],
    }
    pool = _in_flight.index(min(_in_flight))
    _in_flight[pool] += 1
    try:
        async with _models[pool].stream("POST", "/chat/completions", json=request) as response:
            buffer = b""
            async for piece in response.aiter_raw():
                *events, buffer = (buffer + piece).split(b"\n\n")
                for event in events:
                    data = event.removeprefix(b"data: ")
                    if data == b"[DONE]":
                        break
                    chunk = _decode_chunk(data)
                    for choice in chunk.choices:
                        if choice.delta.content:
                            yield "delta", msgspec.json.encode({"text": choice.delta.content})
                    usage = chunk.usage or usage
    finally:
        _in_flight[pool] -= 1
    yield "usage", msgspec.json.encode(usage)
    yield "done", b'{"finish_reason":"stop"}'


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
