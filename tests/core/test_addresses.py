"""The client's address: X-Forwarded-For is believed only from a configured proxy, and only as far as our proxies
wrote it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

import carehub.settings as configured
from carehub.core.addresses import client_address, parse_networks

PROXIES = ["10.0.0.0/24", "2001:db8:feed::/48"]


def address_of(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = PROXIES


def test_no_proxy_is_trusted_by_default_so_the_header_is_ignored():
    assert configured.TRUSTED_PROXIES == []
    assert address_of("198.51.100.7", "203.0.113.5") == "198.51.100.7"


def test_a_forwarded_address_from_anyone_but_a_trusted_proxy_is_ignored(behind_proxy):
    # A client that connects directly and names another address is counted as itself, whatever it claims.
    for spoofed in ("203.0.113.5", "10.0.0.1", "203.0.113.5, 10.0.0.2"):
        assert address_of("198.51.100.7", spoofed) == "198.51.100.7"


def test_from_a_trusted_proxy_the_right_most_address_that_is_not_a_proxy_is_the_client(behind_proxy):
    assert address_of("10.0.0.2", "203.0.113.5") == "203.0.113.5"
    # The left part was written by the client and may be made up; our proxies append, so read from the right.
    assert address_of("10.0.0.2", "192.0.2.66, 203.0.113.5") == "203.0.113.5"
    assert address_of("10.0.0.2", "192.0.2.66, 203.0.113.5, 10.0.0.9") == "203.0.113.5"
    assert address_of("2001:db8:feed::1", "2001:db8:1::7, 2001:db8:feed::2") == "2001:db8:1::7"


def test_a_broken_or_missing_chain_counts_against_the_proxy_not_a_name_the_client_can_vary(behind_proxy):
    assert address_of("10.0.0.2") == "10.0.0.2"
    assert address_of("10.0.0.2", "") == "10.0.0.2"
    assert address_of("10.0.0.2", "not-an-address") == "10.0.0.2"
    assert address_of("10.0.0.2", "203.0.113.5, unknown") == "10.0.0.2"
    assert address_of("10.0.0.2", "10.0.0.3, 10.0.0.4") == "10.0.0.2"  # nothing but proxies


def test_an_ipv4_client_on_a_dual_stack_socket_is_the_same_client(behind_proxy):
    assert address_of("::ffff:10.0.0.2", "::ffff:203.0.113.5") == "203.0.113.5"
    assert address_of("::ffff:198.51.100.7", "203.0.113.5") == "198.51.100.7"


def test_networks_are_checked_strictly():
    assert [str(n) for n in parse_networks(["10.0.0.5", " 10.1.0.0/16 ", "::1"])] == [
        "10.0.0.5/32",
        "10.1.0.0/16",
        "::1/128",
    ]
    for bad in ("proxy.internal", "10.0.0.0/33", "10.0.0.5/24", "10.0.0"):
        with pytest.raises(ValueError, match="is not an IP address or network"):
            parse_networks([bad])


def test_axes_gets_no_address_rather_than_a_word_its_ip_column_refuses(db):
    """PostgreSQL checks axes' IP address column: "unknown" there failed every sign-in without a REMOTE_ADDR."""
    from carehub.core.addresses import axes_client_address

    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert axes_client_address(request) is None
    assert axes_client_address(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")) == "203.0.113.9"
