"""Steps the end-to-end tests share: signing in through the pages, reading the
mailed code or link, and saving screenshots under ``build/screenshots/``."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from tests.e2e.conftest import WebServer
    from tests.support.smtp_server import ReceivedMail

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
MAIL_WAIT_SECONDS = 10.0
DEFAULT_TENANT = "default"


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``build/screenshots/<name>.png``; the path saved."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def mail_to(web_server: WebServer, address: str, after: int = 0) -> ReceivedMail:
    """The first mail to ``address`` among those received after the first ``after``
    mails; fails after ``MAIL_WAIT_SECONDS``."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while time.monotonic() < deadline:
        for mail in web_server.mailbox.mails[after:]:
            if address in mail.envelope_to:
                return mail
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address} within {MAIL_WAIT_SECONDS} s")


def mailed_code(mail: ReceivedMail) -> str:
    """The six-digit sign-in code in a mail."""
    found = re.search(r"\b(\d{6})\b", mail.text)
    assert found, mail.text
    return found.group(1)


def mailed_link(mail: ReceivedMail) -> str:
    """The first http(s) link in a mail."""
    found = re.search(r"https?://\S+", mail.text)
    assert found, mail.text
    return found.group(0)


def request_code(page: Page, web_server: WebServer, email: str, tenant: str) -> str:
    """Open the login page, ask for a code for ``email`` and return the mailed code."""
    already = len(web_server.mailbox.mails)
    page.goto(f"{web_server.url}/{tenant}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Send code", exact=True).click()
    expect(page.get_by_label("Code", exact=True)).to_be_visible()
    return mailed_code(mail_to(web_server, email, after=already))


def sign_in(page: Page, web_server: WebServer, email: str, tenant: str = DEFAULT_TENANT) -> None:
    """Sign in through the login page with a mailed code; returns once the chat shows."""
    code = request_code(page, web_server, email, tenant)
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"**/{tenant}/chat*")
    expect(page.get_by_label("Message", exact=True)).to_be_visible()
