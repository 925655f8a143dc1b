"""The client address behind a request: the socket's peer, or the X-Forwarded-For
entry a trusted proxy added, never one the client wrote itself."""

from __future__ import annotations

import pytest

from http_shell.client_address import TrustedProxies

NONE = TrustedProxies(())
PROXIES = TrustedProxies(["10.0.0.0/8", "192.0.2.1"])


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert NONE.client_of("203.0.113.7", ["198.51.100.1"]) == "203.0.113.7"
    assert NONE.client_of("203.0.113.7", []) == "203.0.113.7"


def test_an_untrusted_peer_cannot_name_another_client() -> None:
    assert PROXIES.client_of("203.0.113.7", ["198.51.100.1, 10.0.0.3"]) == "203.0.113.7"


@pytest.mark.parametrize(
    ("peer", "headers", "client"),
    [
        ("10.0.0.3", ["203.0.113.7"], "203.0.113.7"),
        # Walked from the right, past trusted proxies: what the client wrote is ignored.
        ("10.0.0.3", ["1.2.3.4, 203.0.113.7, 192.0.2.1"], "203.0.113.7"),
        ("10.0.0.3", ["1.2.3.4", "203.0.113.7, 10.9.9.9"], "203.0.113.7"),
        ("192.0.2.1", [" 203.0.113.7 "], "203.0.113.7"),
        # Nothing beyond the proxies: the farthest proxy is all there is to go by.
        ("10.0.0.3", ["10.0.0.2"], "10.0.0.2"),
        ("10.0.0.3", [], "10.0.0.3"),
        # Not an address where a proxy would have written one: stop at the last proxy.
        ("10.0.0.3", ["203.0.113.7, unknown"], "10.0.0.3"),
    ],
)
def test_a_trusted_proxy_names_the_client(peer: str, headers: list[str], client: str) -> None:
    assert PROXIES.client_of(peer, headers) == client


def test_an_ipv6_client_is_counted_by_its_64_network() -> None:
    assert NONE.client_of("2001:db8:1:2:aaaa::1", []) == "2001:db8:1:2::/64"
    assert NONE.client_of("2001:db8:1:2:bbbb::9", []) == "2001:db8:1:2::/64"
    assert NONE.client_of("::ffff:203.0.113.7", []) == "203.0.113.7"
    proxies = TrustedProxies(["fd00::/8"])
    assert proxies.client_of("fd00::1", ["203.0.113.7"]) == "203.0.113.7"


def test_a_peer_that_is_no_address_is_counted_by_its_name() -> None:
    assert NONE.client_of("testclient", ["203.0.113.7"]) == "testclient"
    assert NONE.client_of(None, []) == "unknown"
