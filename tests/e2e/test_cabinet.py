"""The personal cabinet, /{slug}/my/{section}, in a real browser against a real server:
dialogs, saved replies, usage, keyboard and narrow screens, who may enter, and leaving.
Uploads (documents, avatar) are in test_cabinet_uploads.py."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.cabinet import TENANT, call, new_email, open_section, row_of
from tests.e2e.conftest import WebServer


def test_dialogs_are_listed_page_by_page_renamed_and_deleted(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, new_email("dialogs"))
    ids = [
        call(page, web_server, "POST", "/v1/dialogs", title=f"Trip {n}")["id"] for n in range(21)
    ]

    page.get_by_role("link", name="My account").click()  # the cabinet opens at its dialogs
    sections = page.get_by_role("navigation", name="Sections")
    expect(sections.get_by_role("link", name="Dialogs")).to_have_attribute("aria-current", "page")
    rows = page.get_by_role("list", name="Your dialogs").get_by_role("listitem")
    expect(rows).to_have_count(20)
    page.get_by_role("button", name="Load more").click()
    expect(rows).to_have_count(21)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()

    trip = row_of(page, ids[-1])
    link = trip.get_by_role("link", name="Trip 20")
    expect(link).to_have_attribute("href", f"/{TENANT}/chat?dialog={ids[-1]}")
    trip.get_by_role("button", name="Rename").click()
    trip.get_by_label("Title").fill("Lisbon in May")
    trip.get_by_role("button", name="Save title").click()
    expect(trip.get_by_role("link")).to_have_text("Lisbon in May")
    expect(trip.get_by_role("button", name="Rename")).to_be_focused()
    assert call(page, web_server, "GET", f"/v1/dialogs/{ids[-1]}")["title"] == "Lisbon in May"
    flows.screenshot(page, "my-dialogs")

    delete = trip.get_by_role("button", name="Delete", exact=True)
    delete.click()
    expect(trip.get_by_role("button", name="Cancel")).to_be_focused()  # the harmless choice
    page.keyboard.press("Escape")
    expect(delete).to_be_focused()
    delete.click()
    trip.get_by_role("button", name="Yes, delete").click()
    expect(trip).to_have_count(0)
    expect(rows).to_have_count(20)
    # The keyboard stays in the list, on a neighbouring row.
    expect(page.get_by_role("list", name="Your dialogs").locator(":focus")).to_have_count(1)
    gone = page.request.get(
        f"{web_server.url}/v1/dialogs/{ids[-1]}", headers={"X-Tenant-ID": TENANT}
    )
    assert gone.status == 404


def test_saved_replies_render_markdown_as_text_and_can_be_removed(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, new_email("saved"))
    text = (
        "**Puffins** nest in burrows.\n\n- on cliffs\n- in colonies\n\n<img src=x onerror=alert(1)>"
    )
    item = call(page, web_server, "POST", "/v1/saved", text=text, note="for the trip")

    open_section(page, web_server, "saved")
    saved = row_of(page, item["id"])
    expect(saved.locator("strong")).to_have_text("Puffins")
    expect(saved.locator(".saved-text li")).to_have_text(["on cliffs", "in colonies"])
    expect(saved).to_contain_text("<img src=x onerror=alert(1)>")
    expect(saved.locator("img")).to_have_count(0)
    expect(saved).to_contain_text("Note: for the trip")
    flows.screenshot(page, "my-saved")

    saved.get_by_role("button", name="Remove").click()
    expect(saved).to_have_count(0)
    expect(page.get_by_role("heading", level=2)).to_be_focused()  # no row left to land on
    expect(page.get_by_role("status")).to_have_text("Removed from saved.")
    expect(page.get_by_text("Nothing saved yet")).to_be_visible()
    assert call(page, web_server, "GET", "/v1/saved")["items"] == []


def test_usage_shows_this_months_tokens_against_the_quota(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, new_email("usage"))
    reply = page.request.post(
        f"{web_server.url}/v1/chat",
        headers={"X-Tenant-ID": TENANT, "Accept": "text/event-stream"},
        data={"message": "Hello!"},
    )
    assert reply.ok and "event: done" in reply.text()
    usage = call(page, web_server, "GET", "/v1/usage")
    assert usage["total_tokens"] > 0

    open_section(page, web_server, "usage")
    meter = page.get_by_label("Tokens this month")
    expect(meter).to_have_attribute("value", str(usage["total_tokens"]))
    expect(meter).to_have_attribute("max", str(usage["quota_tokens"]))
    summary = f"{usage['total_tokens']:,} of {usage['quota_tokens']:,} tokens"
    expect(page.get_by_text(summary, exact=True)).to_be_visible()
    expect(page.locator(".usage-facts")).to_contain_text(
        f"{usage['rate_limit_per_minute']} chat requests a minute"
    )
    flows.screenshot(page, "my-usage")


def test_cabinet_works_by_keyboard_and_at_360_pixels(page: Page, web_server: WebServer) -> None:
    flows.sign_in(page, web_server, new_email("narrow"))
    call(page, web_server, "POST", "/v1/dialogs", title="A title long enough to wrap on a phone")
    page.set_viewport_size({"width": 360, "height": 740})
    open_section(page, web_server, "dialogs")
    sections = page.get_by_role("navigation", name="Sections")
    for name in ("Saved", "Documents", "Profile", "Usage", "Dialogs"):
        sections.get_by_role("link", name=name).focus()
        page.keyboard.press("Enter")
        heading = page.get_by_role("heading", level=2)
        expect(heading).to_have_text(name)
        expect(heading).to_be_focused()
        expect(page).to_have_url(f"{web_server.url}/{TENANT}/my/{name.lower()}")
        expect(page.locator("#cabinet-section")).not_to_have_attribute("aria-busy", "true")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    flows.screenshot(page, "my-dialogs-360")

    page.go_back()
    expect(page.get_by_role("heading", level=2)).to_have_text("Usage")


def test_cabinet_sends_visitors_without_an_account_to_sign_in(
    page: Page, web_server: WebServer
) -> None:
    page.goto(f"{web_server.url}/{TENANT}/my/usage")
    page.wait_for_url(re.compile(rf"/{TENANT}/login\?next=%2F{TENANT}%2Fmy%2Fusage$"))

    anonymous = page.request.post(f"{web_server.url}/v1/sessions", headers={"X-Tenant-ID": TENANT})
    assert anonymous.status == 201
    page.goto(f"{web_server.url}/{TENANT}/my")
    page.wait_for_url(re.compile(rf"/{TENANT}/login\?next=%2F{TENANT}%2Fmy$"))


def test_a_session_ended_elsewhere_sends_the_user_to_sign_in_again(
    page: Page, web_server: WebServer
) -> None:
    flows.sign_in(page, web_server, new_email("signed-out"))
    open_section(page, web_server, "usage")
    page.request.post(f"{web_server.url}/v1/auth/logout", headers={"X-Tenant-ID": TENANT})

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Saved").click()
    page.wait_for_url(re.compile(rf"/{TENANT}/login\?next=%2F{TENANT}%2Fmy%2Fsaved$"))

    email, mails = new_email("back"), len(web_server.mailbox.mails)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Send code", exact=True).click()
    code = flows.mailed_code(flows.mail_to(web_server, email, after=mails))
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{web_server.url}/{TENANT}/my/saved")
    expect(page.get_by_role("heading", level=2)).to_have_text("Saved")


def test_deleting_the_account_ends_the_session_and_its_data(
    page: Page, web_server: WebServer
) -> None:
    email = new_email("leaving")
    flows.sign_in(page, web_server, email)
    call(page, web_server, "POST", "/v1/dialogs", title="Soon gone")
    old_id = call(page, web_server, "GET", "/v1/auth/me")["id"]
    old_cookie = {c["name"]: c["value"] for c in page.context.cookies()}["chatcore_session"]

    open_section(page, web_server, "profile")
    page.get_by_role("button", name="Delete account").click()
    page.get_by_role("button", name="Yes, delete my account").click()
    page.wait_for_url(f"**/{TENANT}/login")
    revoked = httpx.get(
        f"{web_server.url}/v1/auth/me",
        headers={"X-Tenant-ID": TENANT, "Cookie": f"chatcore_session={old_cookie}"},
        trust_env=False,
    )
    assert revoked.status_code == 401

    flows.sign_in(page, web_server, email)
    assert call(page, web_server, "GET", "/v1/auth/me")["id"] != old_id
    assert call(page, web_server, "GET", "/v1/dialogs")["items"] == []
