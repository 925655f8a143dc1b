"""The chat page in a real browser: streaming, stopping, citations, saving, and
chatting without an account."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import APIRequestContext, Page, expect

from tests.e2e import flows
from tests.e2e.conftest import WebServer

DOCUMENT = (
    "The lighthouse keeper on Gull Island paints the tower red every spring.\n"
    "Ships can see the red tower from twenty miles away on a clear night.\n"
)
READY_SECONDS = 20.0


def _ask(page: Page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def _reply_length(page: Page) -> int:
    return len(page.locator(".message.assistant").last.inner_text())


def _streaming(page: Page) -> bool:
    return page.get_by_role("button", name="Stop", exact=True).is_enabled()


def _open_dialog_id(page: Page) -> str:
    return parse_qs(urlsplit(page.url).query)["dialog"][0]


def _admin_tenant(web_server: WebServer, request: APIRequestContext, **body: Any) -> None:
    response = request.post(
        f"{web_server.url}/v1/tenants",
        data=body,
        headers={"X-Admin-Token": web_server.admin_token},
    )
    assert response.status == 201, response.text()


def test_a_reply_grows_as_it_streams_and_can_be_saved(page: Page, web_server: WebServer) -> None:
    flows.sign_in(page, web_server, "stream-user@example.com")
    _ask(page, "Hello, who are you?")

    reply = page.locator(".message.assistant").last
    expect(reply).not_to_be_empty()
    first = _reply_length(page)
    page.wait_for_function(
        "n => [...document.querySelectorAll('.message.assistant')].pop().innerText.length > n",
        arg=first,
    )
    assert _streaming(page), "the reply was complete before it was seen growing"
    assert _reply_length(page) > first

    save = reply.get_by_role("button", name="Save", exact=True)
    save.click()
    expect(reply.get_by_role("button", name="Saved", exact=True)).to_be_disabled()
    assert not _streaming(page)
    saved = page.request.get(f"{web_server.url}/v1/saved").json()["items"]
    assert [item["text"] for item in saved] == [reply.locator(".rendered").inner_text()]
    expect(page.get_by_role("list", name="Dialogs").get_by_role("link")).to_have_count(1)


def test_stop_ends_the_reply_and_it_is_kept_as_cancelled(page: Page, web_server: WebServer) -> None:
    flows.sign_in(page, web_server, "stop-user@example.com")
    _ask(page, "Tell me everything.")
    expect(page.locator(".message.assistant").last).not_to_be_empty()
    page.get_by_role("button", name="Stop", exact=True).click()

    reply = page.locator(".message.assistant").last
    expect(reply).to_contain_text("Stopped.")
    shown = reply.locator(".rendered").inner_text()
    dialog_id = _open_dialog_id(page)
    deadline = time.monotonic() + 5
    while True:
        messages = page.request.get(f"{web_server.url}/v1/dialogs/{dialog_id}").json()["messages"]
        if messages[-1]["finish_reason"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert messages[-1]["finish_reason"] == "cancelled"
    # Stopped on the server, the reply ends for the page with what was stored.
    assert " ".join(shown.split()) == " ".join(messages[-1]["content"].split())

    page.reload()
    expect(page.locator(".message.assistant").last).to_contain_text("Stopped.")
    expect(page.locator(".message.user")).to_have_text(["Tell me everything."])


def test_a_reply_goes_on_through_a_reload_and_is_shown_whole(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, "reload-user@example.com")
    _ask(page, "Tell me everything.")
    expect(page.locator(".message.assistant").last).not_to_be_empty()
    dialog_id = _open_dialog_id(page)
    page.reload()
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_enabled()  # the page follows the reply in progress
    expect(stop).to_be_disabled(timeout=20_000)
    messages = page.request.get(f"{web_server.url}/v1/dialogs/{dialog_id}").json()["messages"]
    assert messages[-1]["finish_reason"] == "stop"
    shown = page.locator(".message.assistant").last.locator(".rendered").inner_text()
    assert " ".join(shown.split()) == " ".join(messages[-1]["content"].split())


def test_a_question_about_an_uploaded_document_cites_it(page: Page, web_server: WebServer) -> None:
    flows.sign_in(page, web_server, "reader@example.com")
    uploaded = page.request.post(
        f"{web_server.url}/v1/documents",
        multipart={
            "file": {
                "name": "lighthouse.txt",
                "mimeType": "text/plain",
                "buffer": DOCUMENT.encode(),
            }
        },
    )
    assert uploaded.ok, uploaded.text()
    document = uploaded.json()
    deadline = time.monotonic() + READY_SECONDS
    while document["status"] == "processing" and time.monotonic() < deadline:
        time.sleep(0.2)
        document = page.request.get(f"{web_server.url}/v1/documents/{document['id']}").json()
    assert document["status"] == "ready", document

    page.get_by_label("Use my documents", exact=True).check()
    _ask(page, "What colour does the lighthouse keeper paint the tower?")

    citation = page.locator(".message.assistant").last.get_by_role("link", name="lighthouse.txt")
    expect(citation.first).to_be_visible()
    assert citation.first.get_attribute("href") == f"/v1/documents/{document['id']}/file"
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_disabled()
    expect(page.locator(".message.assistant").last).to_contain_text("red")
    flows.screenshot(page, "chat")
    with page.expect_download() as download:
        citation.first.click()
    assert Path(download.value.path()).read_bytes() == DOCUMENT.encode()


def test_an_anonymous_visitor_can_chat(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/default/chat")
    expect(page.locator("#anonymous-note")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in", exact=True).first).to_be_visible()
    _ask(page, "Can I chat without an account?")

    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_disabled(timeout=20_000)
    expect(page.locator(".message.assistant").last).to_contain_text("offline")
    assert page.request.get(f"{web_server.url}/v1/auth/me").json()["email"] is None
    flows.screenshot(page, "chat-anonymous")


def test_without_anonymous_chat_a_visitor_is_sent_to_sign_in(
    page: Page, web_server: WebServer
) -> None:
    _admin_tenant(
        web_server,
        page.request,
        slug="members",
        name="Members only",
        settings={"auth_methods": ["otp"]},
    )
    page.goto(f"{web_server.url}/members/chat")

    page.wait_for_url("**/members/login?next=*")
    expect(page.get_by_role("button", name="Sign in with password")).to_be_hidden()
    expect(page.locator(".brand")).to_have_text("Members only")

    already = len(web_server.mailbox.mails)
    page.get_by_label("Email", exact=True).fill("member@example.com")
    page.get_by_role("button", name="Send code", exact=True).click()
    code = flows.mailed_code(flows.mail_to(web_server, "member@example.com", after=already))
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/members/chat")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_refused_message_is_explained_and_given_back(page: Page, web_server: WebServer) -> None:
    _admin_tenant(
        web_server,
        page.request,
        slug="strict",
        name="Strict",
        settings={"rate_limit_per_minute": 1},
    )
    page.goto(f"{web_server.url}/strict/chat")
    _ask(page, "First question")
    expect(page.get_by_role("button", name="Stop", exact=True)).to_be_disabled(timeout=20_000)
    expect(page.locator(".message.assistant")).to_have_count(1)

    _ask(page, "Second question")
    alert = page.locator("#chat-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Too many chat requests")
    expect(page.get_by_label("Message", exact=True)).to_have_value("Second question")
    expect(page.locator(".message.assistant")).to_have_count(1)


def test_the_chat_fits_a_narrow_screen(page: Page, web_server: WebServer) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{web_server.url}/default/chat")
    expect(page.get_by_label("Message", exact=True)).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Use my documents", exact=True)).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    flows.screenshot(page, "chat-360")


def test_model_text_is_rendered_as_text_never_as_html(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/default/login")
    source = (
        "**Bold**, *slanted* and `<b>code</b>` <img src=x onerror=alert(1)>\n"
        "[bad](javascript:alert(1)) and https://example.com/a.\n\n"
        "- one\n- two\n\n```\n<script>alert(1)</script>\n```"
    )
    rendered = page.evaluate(
        """async (source) => {
            const { renderMarkdown } = await import("/assets/text.js");
            const box = document.createElement("div");
            box.append(renderMarkdown(source));
            return {
                tags: [...box.querySelectorAll("*")].map((node) => node.tagName.toLowerCase()),
                links: [...box.querySelectorAll("a")].map((a) => [a.href, a.rel, a.textContent]),
                text: box.textContent,
            };
        }""",
        source,
    )

    assert rendered["tags"] == [
        "p", "strong", "em", "code", "br", "a", "ul", "li", "li", "pre", "code",
    ]  # fmt: skip
    assert rendered["links"] == [
        ["https://example.com/a", "noopener noreferrer", "https://example.com/a"]
    ]
    assert "<img src=x onerror=alert(1)>" in rendered["text"]
    assert "[bad](javascript:alert(1))" in rendered["text"]
    assert "<script>alert(1)</script>" in rendered["text"]
