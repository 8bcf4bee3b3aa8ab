"""The client's address, the same for the audit trail and for login lockout (django-axes).

Each proxy appends the address it saw to X-Forwarded-For, so only the right end of the header is
written by machines we run; the left end is whatever the client sent. The client is the first
address met from the right that is not one of our proxies: the hop TRUSTED_PROXY_COUNT places in
from the right (REMOTE_ADDR counting as the last hop), or, with TRUSTED_PROXIES, the first hop
outside those addresses and networks. With neither, X-Forwarded-For is ignored.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _networks() -> list:
    return [ipaddress.ip_network(item, strict=False) for item in getattr(settings, "TRUSTED_PROXIES", []) or []]


def client_ip(request) -> str:
    meta = getattr(request, "META", {}) or {}
    remote = (meta.get("REMOTE_ADDR") or "").strip()
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    networks = _networks()
    if not count and not networks:
        return remote[:45]
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()] + [remote]
    if networks:
        chosen = hops[0]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None or not any(address in network for network in networks):
                chosen = hop
                break
    else:
        chosen = hops[max(0, len(hops) - 1 - count)]
    return chosen[:45] if _address(chosen) is not None else remote[:45]
