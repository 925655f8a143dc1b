"""Dialog CRUD for the calling principal."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.types import ControllerRouterHandler

from chatcore.identity.principal import Principal
from chatcore.kernel import DialogId
from http_shell.dependencies import Cases
from http_shell.schemas_dialogs import (
    CreateDialogBody,
    DialogDetailOut,
    DialogOut,
    DialogPage,
    RenameDialogBody,
)

Me = NamedDependency[Principal]


@post("/", status_code=201, summary="Start a dialog")
async def create_dialog_route(
    principal: Me, use_cases: Cases, data: JSONBody[CreateDialogBody | None] = None
) -> DialogOut:
    return DialogOut.of(await use_cases.create_dialog()(principal, data.title if data else None))


@get("/", summary="The caller's dialogs, newest first")
async def list_dialogs_route(
    principal: Me,
    use_cases: Cases,
    limit: Annotated[int | None, Parameter(ge=1, le=200)] = None,
    cursor: FromQuery[str | None] = None,
) -> DialogPage:
    cursors = use_cases.cursor_codec()
    page = await use_cases.list_dialogs()(principal, cursors.page_request(limit, cursor))
    return DialogPage([DialogOut.of(d) for d in page.items], cursors.encode(page.next_after))


@get("/{dialog_id:uuid}", summary="A dialog with its messages")
async def get_dialog_route(
    dialog_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases
) -> DialogDetailOut:
    return DialogDetailOut.of(await use_cases.get_dialog()(principal, DialogId(dialog_id)))


@patch("/{dialog_id:uuid}", summary="Rename a dialog")
async def rename_dialog_route(
    dialog_id: FromPath[uuid.UUID],
    data: JSONBody[RenameDialogBody],
    principal: Me,
    use_cases: Cases,
) -> DialogOut:
    return DialogOut.of(await use_cases.rename_dialog()(principal, DialogId(dialog_id), data.title))


@delete("/{dialog_id:uuid}", status_code=204, summary="Delete a dialog and its messages")
async def delete_dialog_route(
    dialog_id: FromPath[uuid.UUID], principal: Me, use_cases: Cases
) -> None:
    await use_cases.delete_dialog()(principal, DialogId(dialog_id))


ROUTES: list[ControllerRouterHandler] = [
    Router(
        path="/v1/dialogs",
        route_handlers=[
            create_dialog_route,
            list_dialogs_route,
            get_dialog_route,
            rename_dialog_route,
            delete_dialog_route,
        ],
        tags=["dialogs"],
        security=[{"bearer": []}],
    )
]
