"""The built-in web client: its pages under ``/{slug}/...``, its files under ``/assets/``,
and ``/`` sending a browser to the default tenant's chat.

The pages are static HTML; everything they show comes from the public API, called by
their scripts. The tenant named in the path is looked up here only to answer an
unknown slug with a plain 404 page instead of a page that cannot work.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.file_system import BaseLocalFileSystem
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.response.base import ASGIResponse
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler, FileInfo, PathType

from chatcore.errors import TenantNotFound
from chatcore.tenants.use_cases import TenantDirectory
from http_shell.dependencies import Cases

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
PAGES_DIR = WEB_DIR / "pages"
ASSETS_DIR = WEB_DIR / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

PAGES = frozenset({"login", "register", "confirm", "chat"})
CABINET_SECTIONS = frozenset({"dialogs", "saved", "documents", "profile", "usage", "api-keys"})

_NOT_FOUND_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Not found</title>"
    "<h1>Not found</h1><p>There is no such page here.</p></html>"
)


@get("/", include_in_schema=False, cache=False)
async def root_route(use_cases: Cases) -> Redirect:
    """Send a browser to the default tenant's chat."""
    return Redirect(f"/{use_cases.settings().default_tenant}/chat", status_code=303)


@get("/{slug:str}/{page:str}", include_in_schema=False)
async def page_route(
    slug: FromPath[str], page: FromPath[str], use_cases: Cases
) -> Response[bytes | str]:
    """One of the client's pages, for a tenant that exists."""
    if page not in PAGES:
        return _not_found()
    return await _page(slug, page, use_cases.tenant_directory())


@get("/{slug:str}/my", include_in_schema=False)
async def cabinet_route(slug: FromPath[str], use_cases: Cases) -> Response[bytes | str]:
    """The cabinet page at its default section."""
    return await _page(slug, "my", use_cases.tenant_directory())


@get("/{slug:str}/my/{section:str}", include_in_schema=False)
async def cabinet_section_route(
    slug: FromPath[str], section: FromPath[str], use_cases: Cases
) -> Response[bytes | str]:
    """The cabinet page opened at one of its sections (its script reads the path)."""
    if section not in CABINET_SECTIONS:
        return _not_found()
    return await _page(slug, "my", use_cases.tenant_directory())


async def _page(slug: str, page: str, tenant_directory: TenantDirectory) -> Response[bytes | str]:
    try:
        await tenant_directory(slug)
    except TenantNotFound:
        return _not_found()
    html = await anyio.Path(PAGES_DIR / f"{page}.html").read_bytes()
    return Response(html, media_type=MediaType.HTML, headers={"Cache-Control": "no-cache"})


def _not_found() -> Response[bytes | str]:
    return Response(_NOT_FOUND_PAGE, status_code=404, media_type=MediaType.HTML)


class ShippedFiles(BaseLocalFileSystem):
    """The client's files as shipped, and nothing else: a path naming none of them is
    not found before the OS sees it, however odd its bytes (NUL, too long, a file
    taken for a folder), instead of an OS error that would be a 500."""

    def __init__(self, directory: Path) -> None:
        self._paths = frozenset(str(path) for path in directory.resolve().rglob("*"))

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        """The file's details; raises FileNotFoundError for any path not shipped."""
        if str(path) not in self._paths:
            raise FileNotFoundError(path)
        return await super().info(path, **kwargs)


def _secured(response: Response[object] | ASGIResponse) -> Response[object] | ASGIResponse:
    # A hook rather than the router's response_headers, which the static-file
    # responses (already ASGI responses) would not get.
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


ROUTES: list[ControllerRouterHandler] = [
    Router(
        path="/",
        route_handlers=[
            root_route,
            page_route,
            cabinet_route,
            cabinet_section_route,
            # No hashed file names (no build step): a browser must not keep running an
            # old module after an upgrade, and the files are small.
            create_static_files_router(
                path="/assets",
                directories=[ASSETS_DIR],
                file_system=ShippedFiles(ASSETS_DIR),
                cache_control=CacheControlHeader(no_cache=True),
            ),
        ],
        after_request=_secured,  # type: ignore[arg-type]
        include_in_schema=False,
    )
]
