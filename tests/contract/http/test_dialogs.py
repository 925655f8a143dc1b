"""Dialog CRUD over HTTP: create, list with pagination, read, rename, delete, isolation."""

from __future__ import annotations

import uuid

from tests.contract.http.chat_support import Client, anonymous, bearer, chat
from tests.contract.http.test_foundation import assert_problem


async def test_create_then_read_an_empty_dialog(client: Client) -> None:
    me = bearer(await anonymous(client))
    created = await client.post("/v1/dialogs", json={"title": "  Plans  "}, headers=me)
    assert created.status_code == 201, created.text
    dialog = created.json()
    assert dialog["title"] == "Plans"
    assert dialog["created_at"] == dialog["updated_at"]
    read = await client.get(f"/v1/dialogs/{dialog['id']}", headers=me)
    assert read.status_code == 200
    assert read.json() == {**dialog, "messages": []}


async def test_a_dialog_without_a_title_gets_the_default_one(client: Client) -> None:
    me = bearer(await anonymous(client))
    for body in ({}, None):
        created = await client.post("/v1/dialogs", json=body, headers=me)
        assert created.status_code == 201, created.text
        assert created.json()["title"] == "New dialog"


async def test_messages_are_oldest_first_with_their_fields(client: Client) -> None:
    token = await anonymous(client)
    events = await chat(client, token, "What can you do?")
    meta = events[0][1]
    await chat(client, token, "And then?", dialog_id=meta["dialog_id"])
    read = await client.get(f"/v1/dialogs/{meta['dialog_id']}", headers=bearer(token))
    messages = read.json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert [m["content"] for m in messages[::2]] == ["What can you do?", "And then?"]
    question, answer = messages[0], messages[1]
    assert question["id"] == meta["user_message_id"]
    assert answer["id"] == meta["assistant_message_id"]
    assert question["finish_reason"] is None
    assert answer["finish_reason"] == "stop"
    assert answer["content"] == "".join(data["text"] for name, data in events if name == "delta")
    usage = next(data for name, data in events if name == "usage")
    assert (answer["prompt_tokens"], answer["completion_tokens"]) == (
        usage["prompt_tokens"],
        usage["completion_tokens"],
    )
    assert set(question) == {
        "id", "role", "content", "created_at", "finish_reason", "prompt_tokens",
        "completion_tokens",
    }  # fmt: skip
    times = [m["created_at"] for m in messages]
    assert times == sorted(times)


async def test_list_is_newest_first_and_pages_with_a_cursor(client: Client) -> None:
    me = bearer(await anonymous(client))
    ids = [
        (await client.post("/v1/dialogs", json={"title": f"d{i}"}, headers=me)).json()["id"]
        for i in range(5)
    ]
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/dialogs", params=params, headers=me)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    assert pages == 3


async def test_bad_limit_and_cursor_are_422(client: Client) -> None:
    me = bearer(await anonymous(client))
    for params in ({"limit": "0"}, {"limit": "201"}, {"cursor": "not-a-cursor"}):
        assert_problem(
            await client.get("/v1/dialogs", params=params, headers=me), 422, "validation_failed"
        )


async def test_rename_changes_the_title_and_updated_at(client: Client) -> None:
    me = bearer(await anonymous(client))
    dialog = (await client.post("/v1/dialogs", json={"title": "old"}, headers=me)).json()
    renamed = await client.patch(f"/v1/dialogs/{dialog['id']}", json={"title": "new"}, headers=me)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == "new"
    assert renamed.json()["updated_at"] >= dialog["updated_at"]
    read = await client.get(f"/v1/dialogs/{dialog['id']}", headers=me)
    assert read.json()["title"] == "new"


async def test_bad_titles_are_422(client: Client) -> None:
    me = bearer(await anonymous(client))
    dialog = (await client.post("/v1/dialogs", json={}, headers=me)).json()
    for title in ("", "   ", "x" * 201, "tab\there", "invoice\u202egpj.exe", "zero\u200bwidth"):
        response = await client.post("/v1/dialogs", json={"title": title}, headers=me)
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"][0]["field"] == "title"
        response = await client.patch(
            f"/v1/dialogs/{dialog['id']}", json={"title": title}, headers=me
        )
        assert_problem(response, 422, "validation_failed")
    missing = await client.patch(f"/v1/dialogs/{dialog['id']}", json={}, headers=me)
    assert_problem(missing, 422, "validation_failed")
    unknown = await client.post("/v1/dialogs", json={"title": "t", "owner": "x"}, headers=me)
    assert_problem(unknown, 422, "validation_failed")


async def test_delete_removes_the_dialog_and_its_messages(client: Client) -> None:
    token = await anonymous(client)
    dialog_id = (await chat(client, token, "hello"))[0][1]["dialog_id"]
    deleted = await client.delete(f"/v1/dialogs/{dialog_id}", headers=bearer(token))
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(
        await client.get(f"/v1/dialogs/{dialog_id}", headers=bearer(token)), 404, "not_found"
    )
    assert (await client.get("/v1/dialogs", headers=bearer(token))).json()["items"] == []
    again = await client.delete(f"/v1/dialogs/{dialog_id}", headers=bearer(token))
    assert_problem(again, 404, "not_found")


async def test_another_principals_dialog_is_not_found(client: Client) -> None:
    owner, other = await anonymous(client), await anonymous(client)
    dialog_id = (await chat(client, owner, "private question"))[0][1]["dialog_id"]
    them = bearer(other)
    path = f"/v1/dialogs/{dialog_id}"
    assert_problem(await client.get(path, headers=them), 404, "not_found")
    assert_problem(await client.patch(path, json={"title": "mine"}, headers=them), 404, "not_found")
    assert_problem(await client.delete(path, headers=them), 404, "not_found")
    response = await client.post(
        "/v1/chat",
        json={"message": "hi", "dialog_id": dialog_id},
        headers={**them, "Accept": "text/event-stream"},
    )
    assert_problem(response, 404, "not_found")
    assert (await client.get("/v1/dialogs", headers=them)).json()["items"] == []
    # The owner's dialog is untouched.
    read = await client.get(path, headers=bearer(owner))
    assert read.json()["title"] == "private question"
    assert len(read.json()["messages"]) == 2


async def test_an_unknown_dialog_id_is_not_found(client: Client) -> None:
    me = bearer(await anonymous(client))
    assert_problem(await client.get(f"/v1/dialogs/{uuid.uuid4()}", headers=me), 404, "not_found")


async def test_dialogs_need_a_credential(client: Client) -> None:
    assert_problem(await client.get("/v1/dialogs"), 401, "not_authenticated")
    assert_problem(await client.post("/v1/dialogs", json={}), 401, "not_authenticated")
