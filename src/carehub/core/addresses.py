"""The address a request came from, as the rate limits and the sign-in lock-out count it.

Behind the TLS proxy every request connects from the proxy, so keying on the connecting address alone would put
every survivor in one self-referral limit and let anyone lock a worker out. The proxy names the real client in
X-Forwarded-For, but so can anyone else: the header is believed only when the connection comes from a proxy listed
in CAREHUB_TRUSTED_PROXIES, and then only as far as the proxies themselves wrote it (the right-most address that is
not one of ours; everything to its left was written by the client and may be made up).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

UNKNOWN = "unknown"


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and CIDR networks, e.g. "10.0.0.5" or "10.0.0.0/24"; ValueError names the first that is neither.

    Host bits set in a network ("10.0.0.5/24") are refused rather than silently widened: a typo there would trust
    addresses nobody meant to trust.
    """
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=True))
        except ValueError:
            raise ValueError(f"{entry.strip()!r} is not an IP address or network") from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    # A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they are the same client as a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@functools.lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or what a trusted proxy says the client was.

    django-axes uses it too (through `axes_client_address`), so the lock-out counts the same address as the rate
    limits.
    """
    remote_text = request.META.get("REMOTE_ADDR", "")
    remote = _address(remote_text)
    if remote is None:
        return remote_text or UNKNOWN
    networks = _trusted(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Our own proxies write well-formed addresses, so the chain is broken here: count the request against
            # the proxy rather than against a name the client may vary at will to dodge its limits.
            return str(remote)
        if not _is_trusted(address, networks):
            return str(address)
    return str(remote)


def axes_client_address(request: HttpRequest) -> str | None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address, or None when there is none to give.

    Axes stores it in an IP address column, which PostgreSQL checks: a request with no usable REMOTE_ADDR (a test
    client's sign-in, a misconfigured server) must be stored as unknown rather than fail the sign-in.
    """
    address = client_address(request)
    return address if _address(address) is not None else None
