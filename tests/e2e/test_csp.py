"""The served pages carry the security headers, and their HTML has nothing the
Content Security Policy would have to allow: no inline script, handler or style."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from http_shell.routes.web import ASSETS_DIR, CONTENT_SECURITY_POLICY, PAGES_DIR
from tests.e2e.conftest import WebServer

PAGE_PATHS = {
    "/default/login": "login",
    "/default/register": "register",
    "/default/confirm": "confirm",
    "/default/chat": "chat",
    "/default/my": "my",
    "/default/my/dialogs": "my",
    "/default/my/saved": "my",
    "/default/my/documents": "my",
    "/default/my/profile": "my",
    "/default/my/usage": "my",
}


class _InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, handlers, styles."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.body_page: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("<script> without src")
        if tag == "script" and names.get("type") != "module":
            self.problems.append("<script> that is not a module")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "body":
            self.body_page = names.get("data-page")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in {"href", "src"} and value and value.startswith(("http:", "https:", "//")):
                self.problems.append(f"<{tag} {name}={value}>: a third-party origin")


def _headers_are_strict(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", sorted(PAGE_PATHS))
def test_every_page_is_served_with_the_policy_and_no_inline_code(
    web_server: WebServer, path: str
) -> None:
    response = httpx.get(web_server.url + path, trust_env=False)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    _headers_are_strict(response)
    finder = _InlineCodeFinder()
    finder.feed(response.text)
    assert finder.problems == []
    assert finder.body_page is not None
    assert '<main id="main"' in response.text
    assert '<header id="site-header"' in response.text


def test_every_page_file_is_reachable() -> None:
    assert {path.stem for path in PAGES_DIR.glob("*.html")} == set(PAGE_PATHS.values())


def test_every_asset_is_served_with_the_policy(web_server: WebServer) -> None:
    for asset in sorted(ASSETS_DIR.iterdir()):
        response = httpx.get(f"{web_server.url}/assets/{asset.name}", trust_env=False)
        assert response.status_code == 200, asset.name
        _headers_are_strict(response)
        if asset.suffix == ".js":
            assert response.headers["content-type"].startswith("text/javascript")


def test_unknown_tenants_and_pages_get_a_plain_not_found_page(web_server: WebServer) -> None:
    for path in ("/no-such-tenant/chat", "/default/nothing", "/default/my/nothing"):
        response = httpx.get(web_server.url + path, trust_env=False)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        _headers_are_strict(response)


def test_api_paths_are_never_taken_for_pages(web_server: WebServer) -> None:
    # No tenant can take a slug that is one of the server's own first segments.
    created = httpx.post(
        f"{web_server.url}/v1/tenants",
        json={"slug": "health", "name": "Health"},
        headers={"X-Admin-Token": web_server.admin_token},
        trust_env=False,
    )
    assert created.status_code == 422, created.text
    assert created.json()["errors"][0]["field"] == "slug"
    for path in ("/v1/login", "/v1/chat", "/health/chat", "/schema/login", "/assets/chat"):
        response = httpx.get(web_server.url + path, trust_env=False)
        assert response.status_code in {404, 405}, path
        assert "data-page" not in response.text, path


def test_the_root_sends_a_browser_to_the_default_tenants_chat(web_server: WebServer) -> None:
    response = httpx.get(web_server.url + "/", trust_env=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/default/chat"
