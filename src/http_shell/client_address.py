"""The client's address: the socket's peer, or what a trusted proxy says it is.

Behind a reverse proxy every request comes from the proxy, which appends the
address it was talking to to ``X-Forwarded-For``. Only entries appended by proxies
the deployment trusts can be believed, so the header is walked from the right,
past trusted proxies, to the first address that is not one; whatever lies further
left was written by the client and is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# One IPv6 host is usually given a whole /64 to pick addresses from.
IPV6_PREFIX = 64


class TrustedProxies:
    """The proxies (addresses or networks) whose ``X-Forwarded-For`` entry is believed."""

    def __init__(self, proxies: Iterable[str]) -> None:
        self._networks = tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)

    def client_of(self, peer: str | None, forwarded_for: Sequence[str]) -> str:
        """The client behind a request from ``peer`` with these ``X-Forwarded-For``
        headers, as one key per client: an IPv4 address, or an IPv6 /64 network."""
        address = _parsed(peer)
        if address is None:
            return peer or "unknown"
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
        while hops and self._trusts(address):
            previous = _parsed(hops.pop())
            if previous is None:
                break  # not an address: no proxy wrote that
            address = previous
        if isinstance(address, ipaddress.IPv6Address):
            return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
        return str(address)

    def _trusts(self, address: Address) -> bool:
        return any(address in network for network in self._networks)


def _parsed(text: str | None) -> Address | None:
    try:
        address = ipaddress.ip_address(text or "")
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
