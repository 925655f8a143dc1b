"""The cabinet's "API keys" section in a real browser against a real server: a key is
made and shown once with a copy button, works as an OpenAI API key, is listed with its
month's tokens, and is refused at once when revoked."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.cabinet import TENANT, new_email
from tests.e2e.conftest import WebServer


def complete(web_server: WebServer, key: str) -> httpx.Response:
    """A completion through the OpenAI-compatible route, authenticated by ``key``."""
    return httpx.post(
        f"{web_server.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        json={"model": "chatcore", "messages": [{"role": "user", "content": "Hi"}]},
        timeout=30,
        trust_env=False,
    )


def test_a_key_is_made_shown_once_copied_listed_with_its_tokens_and_revoked(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, new_email("keys"))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server.url)
    page.goto(f"{web_server.url}/{TENANT}/my/api-keys")
    expect(page.get_by_role("heading", level=2)).to_have_text("API keys")
    expect(page.get_by_text("No API keys yet")).to_be_visible()

    page.get_by_label("Key name").fill("laptop <script>")
    page.get_by_role("button", name="Create key").click()
    copy = page.get_by_role("button", name="Copy key")
    expect(copy).to_be_focused()
    secret = page.locator("#new-api-key")
    expect(secret).to_have_value(re.compile(r"^ck_[A-Za-z0-9_-]{32,}$"))
    key = secret.input_value()
    copy.click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    rows = page.get_by_role("list", name="Your API keys").get_by_role("listitem")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("laptop <script>")
    expect(rows.first).to_contain_text(f"{key[:11]}…")
    expect(page.get_by_text("No API keys yet")).to_be_hidden()
    flows.screenshot(page, "my-api-keys")

    answered = complete(web_server, key)
    assert answered.status_code == 200, answered.text
    spent = answered.json()["usage"]["total_tokens"]
    page.reload()  # the key is gone from the page for good; its use is listed
    expect(rows).to_have_count(1)
    expect(secret).to_have_count(0)
    assert key not in page.content()
    expect(rows.first).to_contain_text(f"{spent:,} tokens this month")
    expect(rows.first).to_contain_text("last used")

    rows.first.get_by_role("button", name="Revoke").click()
    expect(rows.first.get_by_role("button", name="Cancel")).to_be_focused()
    rows.first.get_by_role("button", name="Yes, revoke").click()
    expect(rows).to_have_count(0)
    expect(page.get_by_text("Key revoked.")).to_be_visible()
    assert complete(web_server, key).status_code == 401
