"""Profile, avatar and saved items over HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.contract.http.chat_support import Client, anonymous, container_of
from tests.contract.http.test_foundation import assert_problem
from tests.support.images import CAMERA_MAKE, MAKE, image_bytes, opened, png_bomb, with_exif
from tests.support.signing_in import bearer, sign_in_by_code
from tests.support.smtp_server import CapturingSmtpServer

MB = 1024 * 1024


async def user(
    client: Client, smtp: CapturingSmtpServer, email: str = "ada@example.com"
) -> dict[str, str]:
    """The bearer header of a user signed in by mailed code. The client forgets the
    cookie, which would otherwise end this session at the next sign-in."""
    token = (await sign_in_by_code(client, smtp, email))["access_token"]
    client.cookies.clear()
    return bearer(token)


async def upload(
    client: Client,
    me: dict[str, str],
    data: bytes,
    name: str = "me.png",
    content_type: str = "image/png",
) -> Any:
    return await client.post(
        "/v1/profile/avatar", files={"file": (name, data, content_type)}, headers=me
    )


def avatar_files(client: Client) -> list[Path]:
    root = Path(container_of(client).settings().storage_dir) / "avatars"
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_a_new_user_has_a_blank_profile(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    response = await mail_client.get("/v1/profile", headers=await user(mail_client, smtp))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "id": body["id"],
        "email": "ada@example.com",
        "display_name": None,
        "locale": None,
        "settings": {},
        "avatar_url": None,
    }


async def test_the_profile_needs_an_account(mail_client: Client) -> None:
    assert_problem(await mail_client.get("/v1/profile"), 401, "not_authenticated")
    guest = bearer(await anonymous(mail_client))
    assert_problem(await mail_client.get("/v1/profile", headers=guest), 403, "forbidden")
    assert_problem(
        await mail_client.patch("/v1/profile", json={"locale": "en"}, headers=guest),
        403,
        "forbidden",
    )
    assert_problem(await upload(mail_client, guest, image_bytes("PNG")), 403, "forbidden")


async def test_patch_changes_only_what_it_names(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    first = await mail_client.patch(
        "/v1/profile",
        json={"display_name": " Ada ", "locale": "pt-BR", "settings": {"theme": "dark", "n": [1]}},
        headers=me,
    )
    assert first.status_code == 200, first.text
    second = await mail_client.patch("/v1/profile", json={"locale": None}, headers=me)
    assert second.json() | {"id": None} == {
        "id": None,
        "email": "ada@example.com",
        "display_name": "Ada",
        "locale": None,
        "settings": {"theme": "dark", "n": [1]},
        "avatar_url": None,
    }
    assert (await mail_client.get("/v1/profile", headers=me)).json() == second.json()
    me_body = (await mail_client.get("/v1/auth/me", headers=me)).json()
    assert me_body["display_name"] == "Ada"


async def test_an_invalid_patch_is_refused(mail_client: Client, smtp: CapturingSmtpServer) -> None:
    me = await user(mail_client, smtp)
    for body, field in (
        ({"locale": "not a locale"}, "locale"),
        ({"display_name": ""}, "display_name"),
        ({"settings": {"x": "y" * 20_000}}, "settings"),
        ({"settings": ["not", "an", "object"]}, "settings"),
        ({"avatar_url": "https://evil.example/x.png"}, "avatar_url"),
    ):
        problem = assert_problem(
            await mail_client.patch("/v1/profile", json=body, headers=me), 422, "validation_failed"
        )
        assert [e["field"] for e in problem["errors"]] == [field], problem


async def test_an_uploaded_avatar_is_served_stripped_and_cacheable(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    response = await upload(mail_client, me, with_exif("JPEG"), "photo.jpg", "image/jpeg")
    assert response.status_code == 200, response.text
    url = response.json()["avatar_url"]
    assert url.endswith(".jpg")
    served = await mail_client.get(urlsplit(url).path)  # no credential: avatars are public
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in served.headers["cache-control"]
    image = opened(served.content)
    assert image.format == "JPEG" and max(image.size) == 512
    assert CAMERA_MAKE not in image.getexif() and MAKE.encode() not in served.content
    assert (await mail_client.get("/v1/profile", headers=me)).json()["avatar_url"] == url
    assert (await mail_client.get("/v1/auth/me", headers=me)).json()["avatar_url"] == url


async def test_png_webp_and_gif_are_accepted(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    for fmt, media_type in (("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/png")):
        # The client's name and type are ignored: the bytes decide.
        response = await upload(
            mail_client, me, image_bytes(fmt), "x.bin", "application/octet-stream"
        )
        assert response.status_code == 200, response.text
        served = await mail_client.get(urlsplit(response.json()["avatar_url"]).path)
        assert served.headers["content-type"] == media_type


async def test_replacing_the_avatar_deletes_the_old_file(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    old = (await upload(mail_client, me, image_bytes("PNG", (300, 300)))).json()["avatar_url"]
    new = (await upload(mail_client, me, image_bytes("PNG", (400, 200)))).json()["avatar_url"]
    assert old != new
    assert_problem(await mail_client.get(urlsplit(old).path), 404, "not_found")
    assert (await mail_client.get(urlsplit(new).path)).status_code == 200
    assert [p.name for p in avatar_files(mail_client)] == [
        urlsplit(new).path.rsplit("/", 1)[1][:-4]
    ]


async def test_what_is_not_an_acceptable_image_is_refused(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    kept = (await upload(mail_client, me, image_bytes("PNG"))).json()["avatar_url"]
    text = b"I am a text file, whatever my name says.\n" * 10
    assert_problem(await upload(mail_client, me, text, "avatar.png"), 415, "unsupported_media_type")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert_problem(
        await upload(mail_client, me, svg, "a.svg", "image/svg+xml"), 415, "unsupported_media_type"
    )
    oversize = b"\x89PNG\r\n\x1a\n" + b"\x00" * (5 * MB)
    assert_problem(await upload(mail_client, me, oversize), 413, "file_too_large")
    far_oversize = await upload(mail_client, me, b"\x00" * (8 * MB))
    assert_problem(far_oversize, 413, "file_too_large")  # as the README says, not the framework's
    raw, png = {**me, "Content-Type": "image/png"}, image_bytes("PNG")
    not_a_form = await mail_client.post("/v1/profile/avatar", content=png, headers=raw)
    assert_problem(not_a_form, 415, "unsupported_media_type")  # as for documents
    bomb = assert_problem(
        await upload(mail_client, me, png_bomb(30_000, 30_000)), 422, "validation_failed"
    )
    assert bomb["errors"][0]["field"] == "file"
    missing = await mail_client.post(
        "/v1/profile/avatar",
        files={"picture": ("a.png", image_bytes("PNG"), "image/png")},
        headers=me,
    )
    assert_problem(missing, 422, "validation_failed")
    assert (await mail_client.get("/v1/profile", headers=me)).json()["avatar_url"] == kept
    assert len(avatar_files(mail_client)) == 1


async def test_removing_the_avatar(mail_client: Client, smtp: CapturingSmtpServer) -> None:
    me = await user(mail_client, smtp)
    url = (await upload(mail_client, me, image_bytes("PNG"))).json()["avatar_url"]
    assert (await mail_client.delete("/v1/profile/avatar", headers=me)).status_code == 204
    assert (await mail_client.delete("/v1/profile/avatar", headers=me)).status_code == 204
    assert_problem(await mail_client.get(urlsplit(url).path), 404, "not_found")
    assert (await mail_client.get("/v1/auth/me", headers=me)).json()["avatar_url"] is None
    assert avatar_files(mail_client) == []


async def test_an_avatar_is_served_under_its_own_extension_only(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    path = urlsplit((await upload(mail_client, me, image_bytes("PNG"))).json()["avatar_url"]).path
    assert path.endswith(".png")
    served = await mail_client.get(path)
    assert served.headers["content-type"] == "image/png"
    for other in ("jpg", "webp", "gif"):
        assert_problem(await mail_client.get(path.removesuffix("png") + other), 404, "not_found")


async def test_unknown_avatar_names_are_not_found(mail_client: Client) -> None:
    for name in ("0" * 32 + ".png", "..%2F..%2Fsecret_key", "x.svg"):
        assert_problem(await mail_client.get(f"/v1/avatars/{name}"), 404, "not_found")


async def test_saved_items_are_created_listed_paged_and_deleted(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    message_id = str(uuid.uuid4())
    created = await mail_client.post(
        "/v1/saved",
        json={"text": "Water boils at 100 °C.", "note": "physics", "message_id": message_id},
        headers=me,
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert item == {
        "id": item["id"],
        "message_id": message_id,
        "text": "Water boils at 100 °C.",
        "note": "physics",
        "created_at": item["created_at"],
    }
    ids = [item["id"]] + [
        (await mail_client.post("/v1/saved", json={"text": f"t{n}"}, headers=me)).json()["id"]
        for n in range(4)
    ]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await mail_client.get("/v1/saved", params=params, headers=me)).json()
        assert set(page) == {"items", "next_cursor"} and len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == ids[::-1]
    assert (await mail_client.delete(f"/v1/saved/{ids[0]}", headers=me)).status_code == 204
    assert_problem(await mail_client.delete(f"/v1/saved/{ids[0]}", headers=me), 404, "not_found")
    assert len((await mail_client.get("/v1/saved", headers=me)).json()["items"]) == 4


async def test_saved_items_are_validated(mail_client: Client) -> None:
    me = bearer(await anonymous(mail_client))
    for body, field in (
        ({"text": "  "}, "text"),
        ({"note": "n"}, "text"),
        ({"text": "t", "message_id": "nope"}, "message_id"),
        ({"text": "t", "extra": 1}, "extra"),
    ):
        problem = assert_problem(
            await mail_client.post("/v1/saved", json=body, headers=me), 422, "validation_failed"
        )
        assert [e["field"] for e in problem["errors"]] == [field], problem
    assert_problem(
        await mail_client.get("/v1/saved", params={"cursor": "junk"}, headers=me),
        422,
        "validation_failed",
    )


async def test_nobody_reads_or_deletes_another_owners_items(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    admin = {"X-Admin-Token": container_of(mail_client).settings().admin_token or ""}
    assert (
        await mail_client.post(
            "/v1/tenants", json={"slug": "other", "name": "Other"}, headers=admin
        )
    ).status_code == 201
    me, guest = await user(mail_client, smtp), bearer(await anonymous(mail_client))
    stranger = bearer(await anonymous(mail_client, tenant="other"))
    item = (await mail_client.post("/v1/saved", json={"text": "mine"}, headers=me)).json()
    guest_item = (await mail_client.post("/v1/saved", json={"text": "g"}, headers=guest)).json()
    for intruder in (guest, stranger):
        page = (await mail_client.get("/v1/saved", headers=intruder)).json()
        assert item["id"] not in [i["id"] for i in page["items"]]
        assert_problem(
            await mail_client.delete(f"/v1/saved/{item['id']}", headers=intruder), 404, "not_found"
        )
    assert_problem(
        await mail_client.delete(f"/v1/saved/{guest_item['id']}", headers=me), 404, "not_found"
    )
    assert (await mail_client.get("/v1/saved", headers=me)).json()["items"] == [item]


async def test_deleting_the_account_removes_profile_items_and_avatar(
    mail_client: Client, smtp: CapturingSmtpServer
) -> None:
    me = await user(mail_client, smtp)
    other = await user(mail_client, smtp, "eve@example.com")
    await mail_client.patch("/v1/profile", json={"locale": "de"}, headers=me)
    url = (await upload(mail_client, me, image_bytes("PNG"))).json()["avatar_url"]
    theirs = (await upload(mail_client, other, image_bytes("PNG"))).json()["avatar_url"]
    await mail_client.post("/v1/saved", json={"text": "mine"}, headers=me)
    assert (await mail_client.delete("/v1/auth/me", headers=me)).status_code == 204
    assert_problem(await mail_client.get(urlsplit(url).path), 404, "not_found")
    assert (await mail_client.get(urlsplit(theirs).path)).status_code == 200
    assert len(avatar_files(mail_client)) == 1
    again = await user(mail_client, smtp)  # the same address signs up afresh
    assert (await mail_client.get("/v1/profile", headers=again)).json()["locale"] is None
    assert (await mail_client.get("/v1/saved", headers=again)).json()["items"] == []
