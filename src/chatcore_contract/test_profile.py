"""The profile (signed-in users) and saved items (any principal)."""

from __future__ import annotations

import base64

import httpx

from chatcore_contract._accounts import Principal
from chatcore_contract._support import expect, expect_fields, expect_status

PROFILE_FIELDS = {"id", "email", "display_name", "locale", "settings", "avatar_url"}
# A red PNG of 8 by 8 pixels.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGM8ISfHgA0wYRUdtBIA0MoBFD5jqJkAAAAASUVORK5CYII="
)


def test_a_user_reads_and_changes_the_profile(api: httpx.Client, user: Principal) -> None:
    """GET /v1/profile; PATCH changes display_name, locale and settings."""
    profile = expect(api.get("/v1/profile", headers=user.headers), 200)
    expect_fields(profile, PROFILE_FIELDS, "the profile")
    change = {"display_name": "Contract Check", "locale": "en-GB", "settings": {"theme": "dark"}}
    changed = expect(api.patch("/v1/profile", json=change, headers=user.headers), 200)
    assert {key: changed[key] for key in change} == change, changed
    assert expect(api.get("/v1/profile", headers=user.headers), 200) == changed
    me = expect(api.get("/v1/auth/me", headers=user.headers), 200)
    assert me["display_name"] == "Contract Check", me


def test_a_user_sets_and_removes_an_avatar(api: httpx.Client, user: Principal) -> None:
    """POST /v1/profile/avatar is 200 {avatar_url}, served as an image; DELETE removes it."""
    upload = {"file": ("avatar.png", PNG, "image/png")}
    changed = expect(api.post("/v1/profile/avatar", files=upload, headers=user.headers), 200)
    # Asked of the deployment checked, whatever public URL the link names.
    served = httpx.URL(changed["avatar_url"]).raw_path.decode()
    image = api.get(served)
    expect_status(image, 200)
    assert image.headers.get("content-type", "").startswith("image/"), dict(image.headers)
    profile = expect(api.get("/v1/profile", headers=user.headers), 200)
    assert profile["avatar_url"] == changed["avatar_url"], profile
    expect_status(api.delete("/v1/profile/avatar", headers=user.headers), 204)
    assert expect(api.get("/v1/profile", headers=user.headers), 200)["avatar_url"] is None
    assert api.get(served).status_code == 404, "the old avatar is still served"


def test_saved_items_are_kept_listed_and_deleted(api: httpx.Client, principal: Principal) -> None:
    """POST /v1/saved 201; GET /v1/saved lists it; DELETE /v1/saved/{id} 204."""
    body = {"text": "Contract check: a text worth keeping.", "note": "from the check"}
    saved = expect(api.post("/v1/saved", json=body, headers=principal.headers), 201)
    expect_fields(saved, {"id", "text", "note", "message_id", "created_at"}, "the saved item")
    page = expect(api.get("/v1/saved", headers=principal.headers), 200)
    assert saved["id"] in [item["id"] for item in page["items"]], page
    expect_status(api.delete(f"/v1/saved/{saved['id']}", headers=principal.headers), 204)
    page = expect(api.get("/v1/saved", headers=principal.headers), 200)
    assert saved["id"] not in [item["id"] for item in page["items"]], page
