"""Steps the cabinet's end-to-end tests share: unique addresses, API calls with the
page's cookie, opening a section, and a generated picture."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING, Any

from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.e2e import flows

if TYPE_CHECKING:
    from tests.e2e.conftest import WebServer

TENANT = flows.DEFAULT_TENANT


def new_email(name: str) -> str:
    """An address no other test uses, so every test starts with an empty account."""
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


def call(page: Page, web_server: WebServer, method: str, path: str, **body: Any) -> Any:
    """Call the API with the page's cookie, as the pages do; the parsed JSON answer."""
    response = page.request.fetch(
        f"{web_server.url}{path}",
        method=method,
        headers={"X-Tenant-ID": TENANT},
        data=body or None,
    )
    assert response.ok, (response.status, response.text())
    return response.json() if response.status != 204 else None


def open_section(page: Page, web_server: WebServer, section: str, tenant: str = TENANT) -> None:
    """Open /{tenant}/my/{section} and wait for its heading."""
    page.goto(f"{web_server.url}/{tenant}/my/{section}")
    expect(page.get_by_role("heading", level=2)).to_have_text(section.capitalize())


def png(color: str) -> bytes:
    """A 64x64 PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(buffer, format="PNG")
    return buffer.getvalue()


def row_of(page: Page, item_id: str) -> Locator:
    """The list row of one dialog, saved item or document."""
    return page.locator(f'li[data-id="{item_id}"]')
