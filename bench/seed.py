"""What the scenarios need from chatcore: the routes it has, anonymous sessions and
dialogs made through its HTTP API, password users made through the library."""

from __future__ import annotations

import asyncio
import json
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.context import Bench
from bench.servers import HOST, Server
from bench.stack import Database, chatcore_env

_SEED_TIMEOUT = 300.0


@dataclass(frozen=True)
class Caller:
    """An anonymous principal and its bearer token."""

    token: str
    principal_id: str

    @property
    def auth(self) -> list[tuple[str, str]]:
        return [("Authorization", f"Bearer {self.token}")]


def api_paths(chatcore: Server) -> set[str]:
    """The paths chatcore's OpenAPI document lists: capabilities still being built are
    benchmarked only once their routes exist."""
    url = f"http://{HOST}:{chatcore.port}/schema/openapi.json"
    with urllib.request.urlopen(url, timeout=30) as reply:
        return set(json.loads(reply.read())["paths"])


def tenant_id(bench: Bench, chatcore: Server) -> str:
    """The id of the default tenant."""
    (reply,) = _batch(bench, chatcore, [{"path": "/v1/tenants/by-slug/default"}], 1)
    return str(reply["id"])


def callers(bench: Bench, chatcore: Server, count: int) -> list[Caller]:
    """``count`` new anonymous sessions."""
    requests = [{"method": "POST", "path": "/v1/sessions"}] * count
    return [
        Caller(reply["access_token"], reply["session_id"])
        for reply in _batch(bench, chatcore, requests, 8)
    ]


@dataclass(frozen=True)
class KeyHolder:
    """A password user's access token (a JWT) and an API key of theirs."""

    token: str
    key: str


def key_holders(
    bench: Bench, database: Database, chatcore: Server, tenant: str, count: int
) -> list[KeyHolder]:
    """``count`` signed-in users, each with an API key (a guest may not make one)."""
    password = "bench passphrase long enough"
    emails = [f"key-{uuid.uuid4().hex[:12]}@bench.example" for _ in range(count)]
    password_users(bench, database, tenant, emails, password)
    json_body = ("Content-Type", "application/json")
    logins = [
        {
            "method": "POST",
            "path": "/v1/auth/login",
            "body": json.dumps({"email": email, "password": password}),
            "headers": [json_body],
        }
        for email in emails
    ]
    tokens = [reply["access_token"] for reply in _batch(bench, chatcore, logins, 4)]
    made = [
        {
            "method": "POST",
            "path": "/v1/api-keys",
            "body": json.dumps({"name": "bench"}),
            "headers": [("Authorization", f"Bearer {token}"), json_body],
        }
        for token in tokens
    ]
    keys = [reply["key"] for reply in _batch(bench, chatcore, made, 4)]
    return [KeyHolder(token, key) for token, key in zip(tokens, keys, strict=True)]


def dialogs(bench: Bench, chatcore: Server, caller: Caller, count: int) -> None:
    """``count`` dialogs for ``caller``."""
    requests = [
        {
            "method": "POST",
            "path": "/v1/dialogs",
            "body": json.dumps({"title": f"Dialog {i}"}),
            "headers": [*caller.auth, ("Content-Type", "application/json")],
        }
        for i in range(count)
    ]
    _batch(bench, chatcore, requests, 4)


def password_users(
    bench: Bench, database: Database, tenant: str, emails: list[str], password: str
) -> None:
    """Confirmed users with ``password``, added through chatcore's library use."""
    asyncio.run(_add_users(bench, database, tenant, emails, password))


async def _add_users(
    bench: Bench, database: Database, tenant: str, emails: list[str], password: str
) -> None:
    from chatcore.identity.model import User
    from chatcore.kernel import TenantId, UserId
    from http_shell.container import build_container, stop
    from http_shell.settings import load_settings

    settings = load_settings(chatcore_env(bench, database, model_url=""), env_file=None)
    adapters = (container := build_container(settings)).adapters
    try:
        # One hash serves every user: each login still verifies it in full.
        password_hash = await adapters.password_hasher().hash(password)
        now = datetime.now(UTC)
        async with adapters.uow()() as uow:
            for email in emails:
                await uow.users.add(
                    TenantId(uuid.UUID(tenant)),
                    User(
                        id=UserId(uuid.uuid4()),
                        tenant_id=TenantId(uuid.UUID(tenant)),
                        email=email,
                        password_hash=password_hash,
                        email_confirmed_at=now,
                        display_name=None,
                        created_at=now,
                    ),
                )
            await uow.commit()
    finally:
        await stop(container)


def _batch(
    bench: Bench, server: Server, requests: list[dict[str, Any]], concurrency: int
) -> list[dict[str, Any]]:
    result = bench.job(
        {
            "type": "batch",
            "port": server.port,
            "requests": requests,
            "concurrency": concurrency,
            "timeout_seconds": _SEED_TIMEOUT,
        },
        timeout=_SEED_TIMEOUT,
    )
    replies = []
    for response in result["responses"]:
        if not 200 <= response["status"] < 300:
            raise RuntimeError(f"seeding failed: {response['status']} {response['body'][:300]}")
        replies.append(json.loads(response["body"]) if response["body"] else {})
    return replies
