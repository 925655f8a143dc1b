"""The sign-in, sign-up and confirmation pages, in a real browser."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.e2e import flows
from tests.e2e.conftest import WebServer


def test_sign_in_by_mailed_code(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/default/login")
    expect(page.get_by_role("button", name="Send code", exact=True)).to_be_visible()
    flows.screenshot(page, "login")

    flows.sign_in(page, web_server, "code-user@example.com")

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    me = page.request.get(f"{web_server.url}/v1/auth/me").json()
    assert me["email"] == "code-user@example.com"


def test_a_wrong_code_is_explained_in_words(page: Page, web_server: WebServer) -> None:
    code = flows.request_code(page, web_server, "wrong-code@example.com", "default")
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Code", exact=True).fill(wrong)
    page.get_by_role("button", name="Sign in", exact=True).click()

    alert = page.locator("#login-error")
    expect(alert).to_be_visible()
    problem = page.request.post(
        f"{web_server.url}/v1/auth/otp/verify",
        data={"email": "nobody@example.com", "code": wrong},
    ).json()
    expect(alert).to_have_text(problem["detail"])
    assert "/login" in page.url


def test_register_confirm_by_mailed_link_then_sign_in_with_password(
    page: Page, web_server: WebServer
) -> None:
    email, password = "password-user@example.com", "a long and unusual passphrase"
    already = len(web_server.mailbox.mails)
    page.goto(f"{web_server.url}/default/register")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Check your mail")
    flows.screenshot(page, "register")

    link = flows.mailed_link(flows.mail_to(web_server, email, after=already))
    page.goto(link)
    expect(page.locator("#confirm-status")).to_contain_text("confirmed")
    flows.screenshot(page, "confirm")

    page.get_by_role("link", name="Sign in", exact=True).last.click()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in with password", exact=True).click()
    page.wait_for_url("**/default/chat*")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_used_confirmation_token_is_explained_in_words(page: Page, web_server: WebServer) -> None:
    email = "twice@example.com"
    already = len(web_server.mailbox.mails)
    httpx.post(
        f"{web_server.url}/v1/auth/register",
        json={"email": email, "password": "another long passphrase"},
        trust_env=False,
    ).raise_for_status()
    link = flows.mailed_link(flows.mail_to(web_server, email, after=already))
    token = link.split("token=", 1)[1]
    page.goto(f"{web_server.url}/default/confirm?token={token}")
    expect(page.locator("#confirm-status")).to_contain_text("confirmed")

    page.goto(f"{web_server.url}/default/confirm?token={token}")
    expect(page.get_by_role("alert").last).to_be_visible()
    expect(page.locator("#confirm-error")).not_to_be_empty()


def test_the_sign_in_pages_fit_a_narrow_screen_and_work_by_keyboard(
    page: Page, web_server: WebServer
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for name in ("register", "confirm", "login"):
        page.goto(f"{web_server.url}/default/{name}")
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    flows.screenshot(page, "login-360")

    already = len(web_server.mailbox.mails)
    page.get_by_label("Email", exact=True).focus()
    page.keyboard.type("keyboard@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code", exact=True)).to_be_focused()
    code = flows.mailed_code(flows.mail_to(web_server, "keyboard@example.com", after=already))
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url("**/default/chat")
