"""The pytest plugin of the live contract checks: their options and fixtures.

Load it with ``-p chatcore_contract.plugin``: a package's ``conftest.py`` is not
read before options are parsed when the package is named with ``--pyargs``.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx
import pytest

from chatcore_contract._accounts import Accounts, Deployment, Principal, mailbox_at


class _NoCookies(DefaultCookiePolicy):
    """Keeps the client from storing cookies: every check says how it authenticates."""

    def set_ok(self, cookie: object, request: object) -> bool:
        """Refuse every cookie."""
        return False


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options naming the deployment and what the checks may use of it."""
    group = parser.getgroup("chatcore-contract", "chatcore live contract checks")
    group.addoption(
        "--base-url", required=True, help="the deployment, e.g. https://api.example.com"
    )
    group.addoption("--origin", help="an origin listed in CHATCORE_ALLOW_ORIGINS, to check CORS")
    group.addoption("--admin-token", help="CHATCORE_ADMIN_TOKEN, to check tenant administration")
    group.addoption("--mailbox", help="a Maildir the deployment delivers its mails into")
    group.addoption("--tenant", help="the tenant's slug (default: the server's default tenant)")
    group.addoption(
        "--email-domain", default="example.com", help="domain of the addresses the checks use"
    )
    group.addoption("--mail-timeout", type=float, default=15.0, help="seconds to wait for a mail")


@pytest.fixture(scope="session")
def deployment(pytestconfig: pytest.Config) -> Deployment:
    """The deployment named on the command line."""
    option = pytestconfig.getoption
    return Deployment(
        base_url=str(option("base_url")).rstrip("/"),
        origin=option("origin"),
        admin_token=option("admin_token"),
        mailbox=mailbox_at(option("mailbox"), option("mail_timeout")),
        tenant=option("tenant"),
        email_domain=option("email_domain"),
    )


@pytest.fixture(scope="session")
def api(deployment: Deployment) -> Iterator[httpx.Client]:
    """A client on the deployment, in the chosen tenant, that keeps no cookies."""
    headers = {"X-Tenant-ID": deployment.tenant} if deployment.tenant else {}
    with httpx.Client(
        base_url=deployment.base_url,
        headers={"User-Agent": "chatcore-contract", **headers},
        cookies=CookieJar(policy=_NoCookies()),
        timeout=httpx.Timeout(60.0, connect=10.0),
    ) as client:
        yield client


@pytest.fixture(scope="session")
def accounts(api: httpx.Client, deployment: Deployment) -> Accounts:
    """Signs principals in and deletes them again."""
    return Accounts(api, deployment)


@pytest.fixture
def principal(accounts: Accounts) -> Iterator[Principal]:
    """An anonymous session where the tenant allows it, else a user; deleted afterwards."""
    with accounts.signed_in("any") as signed_in:
        yield signed_in


@pytest.fixture
def anonymous(accounts: Accounts) -> Iterator[Principal]:
    """An anonymous session, deleted afterwards."""
    with accounts.signed_in("anonymous") as signed_in:
        yield signed_in


@pytest.fixture
def user(accounts: Accounts) -> Iterator[Principal]:
    """A user signed in by a mailed code, deleted afterwards."""
    with accounts.signed_in("user") as signed_in:
        yield signed_in
