"""The caller's profile and avatar, the avatar files themselves, and saved items."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream
from litestar.types import ControllerRouterHandler

from chatcore.errors import FileTooLarge, InvalidInput, UnsupportedMediaType
from chatcore.identity.principal import Principal
from chatcore.profile.model import MAX_AVATAR_BYTES, SavedItemId
from http_shell.dependencies import Cases
from http_shell.openapi import FileUploadOperation, raises
from http_shell.schemas_profile import (
    AvatarOut,
    ProfileOut,
    ProfilePatchBody,
    SavedItemOut,
    SavedItemPage,
    SaveItemBody,
)
from http_shell.uploads import multipart_file

Me = NamedDependency[Principal]
AVATAR_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # The name changes with the picture, so a copy never goes stale.
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Security-Policy": "default-src 'none'",
}


@get("/profile", summary="The caller's profile")
async def get_profile_route(principal: Me, use_cases: Cases) -> ProfileOut:
    return ProfileOut.of(await use_cases.get_profile()(principal))


@patch("/profile", summary="Change display name, locale or settings")
async def update_profile_route(
    data: JSONBody[ProfilePatchBody], principal: Me, use_cases: Cases
) -> ProfileOut:
    return ProfileOut.of(await use_cases.update_profile()(principal, data.changes()))


@post(
    "/profile/avatar",
    status_code=200,
    summary="Upload a new avatar (PNG, JPEG, WebP or GIF; multipart field 'file')",
    # Read and limited as documents are, so both answer alike (413 file_too_large, 415).
    request_max_body_size=None,
    operation_class=FileUploadOperation,
    opt=raises(FileTooLarge, UnsupportedMediaType, InvalidInput),
)
async def set_avatar_route(
    request: Request[Any, Any, Any], principal: Me, use_cases: Cases
) -> AvatarOut:
    _, content = await multipart_file(request, "file", MAX_AVATAR_BYTES)
    data = b"".join([piece async for piece in content])
    return AvatarOut(avatar_url=await use_cases.set_avatar()(principal, data))


@delete("/profile/avatar", status_code=204, summary="Remove the avatar")
async def remove_avatar_route(principal: Me, use_cases: Cases) -> None:
    await use_cases.remove_avatar()(principal)


@get(
    "/avatars/{name:str}",
    summary="An avatar image",
    security=[],
    responses={200: ResponseSpec(bytes, media_type="image/*", description="The image")},
)
async def avatar_file_route(name: FromPath[str], use_cases: Cases) -> Stream:
    avatar = await use_cases.get_avatar_file()(name)
    return Stream(avatar.content, media_type=avatar.media_type, headers=AVATAR_HEADERS)


@get("/saved", summary="The caller's saved items, newest first")
async def list_saved_route(
    principal: Me,
    use_cases: Cases,
    limit: Annotated[int | None, Parameter(ge=1, le=200)] = None,
    cursor: FromQuery[str | None] = None,
) -> SavedItemPage:
    page = await use_cases.list_saved_items()(
        principal, use_cases.cursor_codec().page_request(limit, cursor)
    )
    return SavedItemPage(
        [SavedItemOut.of(i) for i in page.items], use_cases.cursor_codec().encode(page.next_after)
    )


@post("/saved", status_code=201, summary="Save a text")
async def save_item_route(
    data: JSONBody[SaveItemBody], principal: Me, use_cases: Cases
) -> SavedItemOut:
    return SavedItemOut.of(
        await use_cases.save_item()(principal, data.text, data.note, data.message_id)
    )


@delete("/saved/{item_id:uuid}", status_code=204, summary="Delete a saved item")
async def delete_saved_route(item_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases) -> None:
    await use_cases.delete_saved_item()(principal, SavedItemId(item_id))


ROUTES: list[ControllerRouterHandler] = [
    Router(
        path="/v1",
        route_handlers=[
            get_profile_route,
            update_profile_route,
            set_avatar_route,
            remove_avatar_route,
            list_saved_route,
            save_item_route,
            delete_saved_route,
        ],
        tags=["profile"],
        security=[{"bearer": []}],
    ),
    Router(path="/v1", route_handlers=[avatar_file_route], tags=["profile"]),
]
