"""End-to-end fixtures: a real ``chatcore serve`` with an SMTP sink, and headless
Chromium (Debian's, at /usr/bin/chromium) driven by Playwright's sync API."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.e2e import flows
from tests.support.server_process import free_port, serving
from tests.support.smtp_server import CapturingSmtpServer

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home, which fails
# slowly here; the rest make a quiet, deterministic headless browser.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The machine running the suite may be busy; a page that is slow is not a failure.
expect.set_options(timeout=10_000)
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
WORDS_PER_SECOND = "15"  # slow enough for a test to press Stop mid-reply
ADMIN_TOKEN = "e2e-admin-token"


@dataclass(frozen=True)
class WebServer:
    """A running ``chatcore serve``: its base URL, the sink its mail goes to, and its
    admin token (to create tenants)."""

    url: str
    mailbox: CapturingSmtpServer
    admin_token: str = ADMIN_TOKEN


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """``chatcore serve`` with its own data folder, SQLite file and SMTP sink, for the
    whole run."""
    data = tmp_path_factory.mktemp("web-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with CapturingSmtpServer() as mailbox:
        settings = {
            "CHATCORE_DATA_DIR": str(data),
            "CHATCORE_STORAGE_DIR": str(data / "files"),
            "CHATCORE_DATABASE_URL": f"sqlite+aiosqlite:///{data / 'chatcore.db'}",
            "CHATCORE_SMTP_HOST": mailbox.host,
            "CHATCORE_SMTP_PORT": str(mailbox.port),
            "CHATCORE_SMTP_STARTTLS": "false",
            "CHATCORE_LOCAL_MODEL_WPS": WORDS_PER_SECOND,
            "CHATCORE_PUBLIC_URL": url,
            # The mailed link confirms, then lands on the page that says so.
            "CHATCORE_CONFIRM_REDIRECT": f"{url}/default/confirm",
            "CHATCORE_LLM_PROVIDER": "local",
            "CHATCORE_EMBEDDER": "local",
            "CHATCORE_OTP_RESEND_SECONDS": "1",
            # One server for the whole run, and every browser comes from loopback.
            "CHATCORE_ANONYMOUS_SESSIONS_PER_HOUR": "100000",
            "CHATCORE_ADMIN_TOKEN": ADMIN_TOKEN,
        }
        with serving(data, settings, "--no-access-log", port=port) as server:
            server.wait_until_up()
            yield WebServer(url=server.url, mailbox=mailbox)


# Package scope, not session: while Playwright's sync API is open it leaves its own
# event loop marked as running in this thread, and the async tests that run after
# this package could not start theirs.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the end-to-end tests."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can tell a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies), 1280x800. The test fails if a
    script throws or the browser blocks something under the Content Security Policy;
    a failed test leaves a screenshot in ``build/screenshots/failed-<test>.png``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    script_errors: list[str] = []
    opened.on("pageerror", lambda error: script_errors.append(str(error)))
    opened.on(
        "console",
        lambda message: (
            script_errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield opened
        assert script_errors == [], "the page's scripts failed"
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            flows.screenshot(opened, f"failed-{request.node.name}")
        context.close()
