"""Who is calling: the address rate limits count, read through the reverse proxies we trust.

Behind a proxy every request comes from the proxy's own address, so the client's is taken from
X-Forwarded-For. That header is whatever the caller wrote, except for the hops our own proxies
appended: it is read only when the peer is a trusted proxy, from the right, and the first hop
that is not one of ours is the client. What it says further left could be made up.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

from aiohttp import hdrs, web

from onething.keys import settings_key

UNKNOWN = "unknown"


def _port(text: str) -> bool:
    return text.isascii() and text.isdigit() and 0 < int(text) < 65536


def _host(hop: str) -> str | None:
    """The address a hop names, without the port or brackets some proxies write with it."""
    if hop.startswith("["):  # [2001:db8::1] or [2001:db8::1]:443
        host, closed, rest = hop[1:].partition("]")
        return host if closed and (not rest or rest[0] == ":" and _port(rest[1:])) else None
    host, colon, port = hop.rpartition(":")
    if colon and ":" not in host and "." in host:  # 1.2.3.4:5678; a bare IPv6 has more than one colon
        return host if _port(port) else None
    return hop


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    host = _host(value.strip())
    if not host:
        return None
    try:
        address = ip_address(host)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 is 10.0.0.1
    return mapped or address


def client_address(request: web.Request) -> str:
    peer = request.remote or UNKNOWN
    trusted = request.config_dict[settings_key].trusted_proxies
    hop = _parse(peer)
    if not trusted or hop is None or not any(hop in network for network in trusted):
        return peer
    hops = [h for header in request.headers.getall(hdrs.X_FORWARDED_FOR, ()) for h in header.split(",")]
    for raw in reversed(hops):
        previous, hop = hop, _parse(raw)
        if hop is None:  # not an address our proxy would write: the last hop we could trust is the client
            return str(previous)
        if not any(hop in network for network in trusted):
            return str(hop)
    return str(hop)  # every hop is one of ours: the left-most is as near the client as we know
