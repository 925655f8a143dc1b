"""The cabinet's uploads in a real browser against a real server: documents (progress,
status until ready, download, delete) and the avatar, which every open tab shows."""

from __future__ import annotations

import dataclasses
import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.cabinet import call, new_email, open_section, png
from tests.e2e.conftest import WebServer

PUFFINS = (
    b"Field notes on seabirds.\n\n"
    b"The puffin nests in burrows on grassy cliffs above the sea. "
    b"Each pair raises one chick, called a puffling, fed on sand eels.\n"
)
# Records what the documents section showed between two checks: a MutationObserver
# sees each state, however briefly it lasted.
RECORD_DOCUMENT_STATES = """() => {
  const seen = (window.cabinetSeen = { statuses: [], progressShown: false });
  new MutationObserver(() => {
    const progress = document.querySelector(".upload progress");
    if (progress && !progress.hidden) seen.progressShown = true;
    for (const status of document.querySelectorAll(".doc-status")) {
      if (!seen.statuses.includes(status.textContent)) seen.statuses.push(status.textContent);
    }
  }).observe(document.getElementById("main"), {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
}"""


@pytest.fixture(scope="module")
def other_tenant(web_server: WebServer) -> str:
    """A second tenant: the cabinet must name its tenant on every call, downloads too."""
    slug = f"cabinet-{uuid.uuid4().hex[:6]}"
    response = httpx.post(
        f"{web_server.url}/v1/tenants",
        headers={"X-Admin-Token": web_server.admin_token},
        json={"slug": slug, "name": "Cabinet Test Co"},
        trust_env=False,
    )
    assert response.status_code == 201, response.text
    return slug


def test_documents_upload_with_progress_become_ready_download_and_delete(
    page: Page, web_server: WebServer, other_tenant: str
) -> None:
    flows.sign_in(page, web_server, new_email("documents"), tenant=other_tenant)
    open_section(page, web_server, "documents", tenant=other_tenant)
    page.evaluate(RECORD_DOCUMENT_STATES)

    page.get_by_label("Upload a document").set_input_files(
        files=[{"name": "puffins.txt", "mimeType": "text/plain", "buffer": PUFFINS}]
    )
    documents = page.get_by_role("list", name="Your documents").get_by_role("listitem")
    puffins = documents.filter(has_text="puffins.txt")
    expect(puffins.locator(".doc-status")).to_have_text("ready")
    expect(puffins).to_contain_text("1 page · 1 chunk")
    seen = page.evaluate("window.cabinetSeen")
    assert seen["progressShown"]
    assert seen["statuses"] == ["processing", "ready"]
    expect(page.locator(".upload progress")).to_be_hidden()

    with page.expect_download() as download:
        puffins.get_by_role("link", name="puffins.txt").click()
    assert download.value.suggested_filename == "puffins.txt"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == PUFFINS

    page.get_by_label("Upload a document").set_input_files(
        files=[{"name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n%%junk"}]
    )
    broken = documents.filter(has_text="broken.pdf")
    expect(broken.locator(".doc-status")).to_have_text(re.compile(r"^failed: .+"))

    page.get_by_label("Upload a document").set_input_files(
        files=[{"name": "picture.txt", "mimeType": "text/plain", "buffer": png("red")}]
    )
    expect(page.locator("#cabinet-alert")).to_have_text(
        "Upload a PDF, Word (DOCX), web page (HTML), plain text or Markdown file."
    )
    expect(documents).to_have_count(2)
    flows.screenshot(page, "my-documents")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    flows.screenshot(page, "my-documents-360")

    puffins.get_by_role("button", name="Delete").click()
    puffins.get_by_role("button", name="Yes, delete").click()
    expect(puffins).to_have_count(0)
    page.reload()
    expect(documents).to_have_count(1)
    expect(documents.first).to_contain_text("broken.pdf")


def test_a_document_becomes_ready_by_polling_when_the_socket_says_nothing(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, new_email("polling"))
    # A socket that opens but never speaks: no "ready", no document_ready.
    page.route_web_socket(re.compile(r"/v1/ws$"), lambda socket: None)
    open_section(page, web_server, "documents")

    page.get_by_label("Upload a document").set_input_files(
        files=[{"name": "notes.md", "mimeType": "text/markdown", "buffer": PUFFINS}]
    )
    notes = page.get_by_role("list", name="Your documents").get_by_role("listitem")
    expect(notes.locator(".doc-status")).to_have_text("ready")
    expect(page.locator("#main")).not_to_have_attribute("data-live", "true")


def test_profile_saves_the_name_and_the_avatar_reaches_every_open_tab(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, new_email("profile"))
    other_tab = page.context.new_page()
    for tab in (page, other_tab):
        open_section(tab, web_server, "profile")
        # The socket is signed in: a change made elsewhere will be told to this tab.
        expect(tab.locator("#main")).to_have_attribute("data-live", "true")
    watched = other_tab.get_by_role("img", name="Your avatar")
    expect(watched).to_have_attribute("src", "/assets/my-avatar.svg")

    page.get_by_label("Display name").fill("x" * 101)
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#cabinet-alert")).to_contain_text(
        "Display name must be at most 100 characters."
    )
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("form").get_by_role("status")).to_have_text("Saved")
    expect(page.locator("#cabinet-alert")).to_be_hidden()
    assert call(page, web_server, "GET", "/v1/profile")["display_name"] == "Ada Lovelace"

    page.get_by_label("Avatar").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png("teal")}]
    )
    # The other tab was not reloaded: only the avatar_changed event can change it.
    expect(watched).to_have_attribute("src", re.compile(r"^/v1/avatars/"))
    other_tab.wait_for_function("() => document.querySelector('img.avatar').naturalWidth > 0")
    flows.screenshot(other_tab, "my-profile")

    page.get_by_role("button", name="Remove avatar").click()
    expect(watched).to_have_attribute("src", "/assets/my-avatar.svg")


def test_the_avatar_shows_on_a_page_opened_by_another_name_of_the_server(
    page: Page, web_server: WebServer
) -> None:
    # Avatar URLs are made from CHATCORE_PUBLIC_URL (127.0.0.1 here); under "localhost"
    # the page is another origin, which its Content Security Policy would not load from.
    aliased = dataclasses.replace(web_server, url=web_server.url.replace("127.0.0.1", "localhost"))
    flows.sign_in(page, aliased, new_email("alias"))
    open_section(page, aliased, "profile")

    page.get_by_label("Avatar").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png("orange")}]
    )
    expect(page.get_by_role("img", name="Your avatar")).to_have_attribute(
        "src", re.compile(r"^/v1/avatars/")
    )
    page.wait_for_function("() => document.querySelector('img.avatar').naturalWidth > 0")
