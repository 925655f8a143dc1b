"""``/v1/api-keys`` and ``Authorization: Bearer ck_...``: made by a signed-in user,
shown once, authenticating as that user in its tenant everywhere but the key routes
and account deletion, refused at once once revoked, expired or its account gone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from chatcore_contract._support import parse_sse
from tests.contract.http.chat_support import SSE, anonymous
from tests.contract.http.conftest import ClientFactory
from tests.contract.http.test_foundation import ADMIN, assert_problem
from tests.support.signing_in import Client, bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer
from tests.unit.fakes import FakeClock

KEYS = "/v1/api-keys"
EMAIL = "builder@example.test"
KEY_FORMAT = re.compile(r"^ck_[A-Za-z0-9_-]{32,}$")


async def signed_in(client: Client, smtp: CapturingSmtpServer, email: str = EMAIL) -> str:
    """A user's access token (the client's cookie is cleared: the bearer speaks)."""
    token: str = (await sign_in_by_code(client, smtp, email))["access_token"]
    client.cookies.clear()
    return token


async def new_key(client: Client, token: str, **body: Any) -> dict[str, Any]:
    response = await client.post(KEYS, json={"name": "ci", **body}, headers=bearer(token))
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


async def listed(client: Client, token: str) -> list[dict[str, Any]]:
    response = await client.get(KEYS, headers=bearer(token))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_key_is_shown_once_and_listed_without_it(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = await signed_in(mail_client, smtp)
    made = await new_key(mail_client, token, name="laptop")
    assert KEY_FORMAT.match(made["key"]), made["key"]
    assert made["prefix"] == made["key"][: len(made["prefix"])]
    assert len(made["prefix"]) < len(made["key"]) - 32
    assert (made["name"], made["expires_at"], made["last_used_at"]) == ("laptop", None, None)
    (item,) = await listed(mail_client, token)
    assert "key" not in item
    assert made["key"] not in str(item)
    assert item == {
        **{k: v for k, v in made.items() if k != "key"},
        "total_tokens_this_month": 0,
    }


async def test_a_key_acts_as_its_user_and_its_chats_count_against_it(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = await signed_in(mail_client, smtp)
    key = (await new_key(mail_client, token))["key"]
    me = await mail_client.get("/v1/auth/me", headers=bearer(key))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == EMAIL
    chat = await mail_client.post(
        "/v1/chat", json={"message": "Hello"}, headers={**bearer(key), **SSE}
    )
    assert chat.status_code == 200, chat.text
    (usage,) = [data for name, data in parse_sse(chat.text) if name == "usage"]
    dialogs = await mail_client.get("/v1/dialogs", headers=bearer(token))
    assert len(dialogs.json()["items"]) == 1  # the user's own dialog
    (item,) = await listed(mail_client, token)
    assert item["total_tokens_this_month"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert item["last_used_at"] is not None


async def test_a_key_cannot_manage_keys_nor_delete_its_account(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = await signed_in(mail_client, smtp)
    made = await new_key(mail_client, token)
    key = made["key"]
    assert_problem(
        await mail_client.post(KEYS, json={"name": "more"}, headers=bearer(key)), 403, "forbidden"
    )
    assert_problem(await mail_client.get(KEYS, headers=bearer(key)), 403, "forbidden")
    revoke = await mail_client.delete(f"{KEYS}/{made['id']}", headers=bearer(key))
    assert_problem(revoke, 403, "forbidden")
    assert_problem(await mail_client.delete("/v1/auth/me", headers=bearer(key)), 403, "forbidden")
    assert (await mail_client.get("/v1/auth/me", headers=bearer(key))).status_code == 200


async def test_an_anonymous_session_cannot_make_keys(mail_client: Client) -> None:
    guest = await anonymous(mail_client)
    mail_client.cookies.clear()
    response = await mail_client.post(KEYS, json={"name": "x"}, headers=bearer(guest))
    assert_problem(response, 403, "forbidden")
    assert_problem(await mail_client.get(KEYS, headers=bearer(guest)), 403, "forbidden")


async def test_a_revoked_or_unknown_key_is_refused_at_once_by_every_process(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    # Two apps on one database stand for two server processes.
    async with make_mail_client() as first, make_mail_client() as second:
        token = await signed_in(first, smtp)
        made = await new_key(first, token)
        key = made["key"]
        assert (await second.get("/v1/auth/me", headers=bearer(key))).status_code == 200
        revoked = await first.delete(f"{KEYS}/{made['id']}", headers=bearer(token))
        assert revoked.status_code == 204
        for client in (first, second):
            response = await client.get("/v1/auth/me", headers=bearer(key))
            assert_problem(response, 401, "not_authenticated")
        assert await listed(first, token) == []
        tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
        for unknown in (tampered, "ck_", "ck_" + "x" * 40):
            response = await first.get("/v1/auth/me", headers=bearer(unknown))
            assert_problem(response, 401, "not_authenticated")
        again = await first.delete(f"{KEYS}/{made['id']}", headers=bearer(token))
        assert_problem(again, 404, "not_found")


async def test_an_expired_key_is_refused(
    make_mail_client: ClientFactory, smtp: CapturingSmtpServer
) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with make_mail_client(clock=clock) as client:
        token = await signed_in(client, smtp)
        expires = clock.now() + timedelta(hours=1)
        made = await new_key(client, token, expires_at=expires.isoformat())
        assert datetime.fromisoformat(made["expires_at"]) == expires
        assert (await client.get("/v1/auth/me", headers=bearer(made["key"]))).status_code == 200
        clock.advance(3600)
        response = await client.get("/v1/auth/me", headers=bearer(made["key"]))
        assert_problem(response, 401, "not_authenticated")


async def test_a_key_is_bound_to_its_tenant_and_owner(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    created = await mail_client.post("/v1/tenants", json={"slug": "b", "name": "B"}, headers=ADMIN)
    assert created.status_code == 201
    token = await signed_in(mail_client, smtp)
    made = await new_key(mail_client, token)
    elsewhere = await mail_client.get(
        "/v1/auth/me", headers={**bearer(made["key"]), "X-Tenant-ID": "b"}
    )
    assert_problem(elsewhere, 403, "tenant_mismatch")
    other = await signed_in(mail_client, smtp, "other@example.test")
    assert await listed(mail_client, other) == []
    stolen = await mail_client.delete(f"{KEYS}/{made['id']}", headers=bearer(other))
    assert_problem(stolen, 404, "not_found")
    assert (await mail_client.get("/v1/auth/me", headers=bearer(made["key"]))).status_code == 200


async def test_deleting_the_account_revokes_its_keys(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = await signed_in(mail_client, smtp)
    key = (await new_key(mail_client, token))["key"]
    assert (await mail_client.delete("/v1/auth/me", headers=bearer(token))).status_code == 204
    response = await mail_client.get("/v1/auth/me", headers=bearer(key))
    assert_problem(response, 401, "not_authenticated")


async def test_malformed_oversized_and_cross_site_requests_are_refused(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    token = await signed_in(mail_client, smtp)
    auth = bearer(token)
    malformed = await mail_client.post(
        KEYS, content=b'{"name": ', headers={**auth, "Content-Type": "application/json"}
    )
    assert_problem(malformed, 400, "malformed_body")
    as_text = await mail_client.post(
        KEYS, content=b'{"name": "x"}', headers={**auth, "Content-Type": "text/plain"}
    )
    assert_problem(as_text, 415, "unsupported_media_type")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for body, field in [
        ({"name": "x" * 101}, "name"),
        ({"name": ""}, "name"),
        ({"name": "a\nb"}, "name"),
        ({"name": "x", "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
        ({"name": "x", "expires_at": past}, "expires_at"),
        ({"name": "x", "scopes": ["all"]}, "scopes"),
    ]:
        response = await mail_client.post(KEYS, json=body, headers=auth)
        problem = assert_problem(response, 422, "validation_failed")
        assert problem["errors"][0]["field"] == field, (body, problem)
    huge = await mail_client.post(KEYS, json={"name": "x" * 20_000_000}, headers=auth)
    assert huge.status_code in (413, 422), huge.text
    mail_client.cookies.set("chatcore_session", token)
    cross_site = await mail_client.post(
        KEYS, json={"name": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert_problem(cross_site, 403, "csrf_rejected")
    mail_client.cookies.clear()
    assert await listed(mail_client, token) == []
    assert_problem(await mail_client.get(KEYS), 401, "not_authenticated")
