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


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(value.strip())
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
