"""The two pictures of the README's "Web client" section, taken from a real run: the
chat with a streamed answer that cites an uploaded document, and the cabinet.

Every run checks the flow and saves both under ``build/screenshots/``; only with
``CHATCORE_UPDATE_SCREENSHOTS=1`` are they copied over ``docs/screenshots/``, so an
ordinary run changes no tracked file."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.cabinet import new_email, open_section
from tests.e2e.conftest import WebServer

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1100, "height": 720}
FIELD_GUIDE = (
    b"# Seabirds of the North Atlantic\n\n"
    b"The puffin nests in burrows on grassy cliffs above the sea. "
    b"A pair comes back to the same burrow every spring and raises one chick.\n\n"
    b"Gannets nest in dense colonies on bare rock ledges.\n"
)
TIDES = b"High tide at the harbour comes about fifty minutes later each day.\n"


def publish(path: Path, name: str) -> None:
    if os.environ.get("CHATCORE_UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / name)


def test_readme_screenshots_show_a_cited_answer_and_the_cabinet(
    page: Page, web_server: WebServer
) -> None:
    page.set_viewport_size(VIEWPORT)  # type: ignore[arg-type]
    flows.sign_in(page, web_server, new_email("ada"))
    open_section(page, web_server, "documents")
    documents = page.get_by_role("list", name="Your documents").get_by_role("listitem")
    for name, content in (("tides.txt", TIDES), ("field-guide.md", FIELD_GUIDE)):
        page.get_by_label("Upload a document").set_input_files(
            files=[{"name": name, "mimeType": "text/plain", "buffer": content}]
        )
        expect(documents.filter(has_text=name).locator(".doc-status")).to_have_text("ready")

    page.get_by_role("link", name="Chat", exact=True).click()
    page.get_by_label("Use my documents", exact=True).check()
    page.get_by_label("Message", exact=True).fill("Where do puffins nest?")
    page.get_by_role("button", name="Send", exact=True).click()
    reply = page.locator(".message.assistant").last
    expect(reply.get_by_role("link", name="field-guide.md").first).to_be_visible()
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_disabled(timeout=20_000)
    expect(reply).to_contain_text("grassy cliffs")
    publish(flows.screenshot(page, "readme-chat"), "chat.png")

    page.get_by_role("link", name="My account").click()
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Documents").click()
    expect(documents).to_have_count(2)
    publish(flows.screenshot(page, "readme-cabinet"), "cabinet.png")
