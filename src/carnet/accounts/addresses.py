"""The address a request comes from, believing X-Forwarded-For only from trusted proxies.

``CARNET_TRUSTED_PROXIES`` lists the reverse proxies in front of Carnet (addresses or
networks). A request that does not come from one of them is taken at its socket address,
whatever headers it carries: anyone can write an X-Forwarded-For header. A request from a
trusted proxy is followed back through the header, right to left, past every trusted
proxy, to the first address that is not one: the client as the outermost trusted proxy
saw it. Everything to the left of that address was written by the client and is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(text: str):
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in net for net in networks)


def client_ip(request) -> str:
    """The client's address as a string ("" when it cannot be told)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    networks = _networks(tuple(getattr(settings, "CARNET_TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _parse(hop)
        if address is None:
            break  # a malformed hop: stop at the last address we could trust
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
