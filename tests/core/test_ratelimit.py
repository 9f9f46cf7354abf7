"""Rate limits behind the TLS proxy: per survivor for the self-referral, per organisation for every API call, and
per client address for failed API requests. The clock is stopped mid-window, so no count straddles a window's end."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

import carehub.settings as configured
from carehub.accounts.apikeys import apikey_create
from carehub.core import ratelimit
from carehub.referrals.models import Referral
from tests.referrals.test_api_create import VALID, post
from tests.referrals.test_self_referral import post_step, state_of, walk_to_check

PROXY = "10.0.0.2"
# 30 seconds into a minute (and into an hour: 1,800,000,000 is a whole number of hours).
STOPPED_AT = 1_800_000_000 + 30


@pytest.fixture(autouse=True)
def stopped_clock(monkeypatch):
    monkeypatch.setattr(ratelimit, "now", lambda: STOPPED_AT)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def survivor_behind_proxy(address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def refer(client: Client) -> int:
    """A whole self-referral, sent: the status of the final answer."""
    check = walk_to_check(client)
    return post_step(client, state_of(check), "check", {}, action="submit").status_code


def assert_limited(response, *, retry_after: int = 30) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429
    assert response["Retry-After"] == str(retry_after)


# --- the self-referral -------------------------------------------------------------------------------------------


def test_two_survivors_behind_the_proxy_have_limits_of_their_own(db, settings, behind_proxy):
    settings.SELF_REFERRAL_RATE_PER_HOUR = 1
    first, second = survivor_behind_proxy("203.0.113.5"), survivor_behind_proxy("198.51.100.7")
    assert refer(first) == 200
    assert refer(second) == 200  # not held up by the first, though both connect from the proxy
    assert refer(first) == 429
    assert Referral.objects.count() == 2


def test_a_forwarded_address_from_an_untrusted_client_does_not_buy_a_fresh_limit(db, settings, behind_proxy):
    settings.SELF_REFERRAL_RATE_PER_HOUR = 1
    assert refer(Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.1")) == 200
    assert refer(Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.2")) == 429


# --- the API -----------------------------------------------------------------------------------------------------


@pytest.fixture
def met_key(world) -> str:
    return apikey_create(actor=None, organisation=world.orgs["met"])[1]


@pytest.fixture
def met_referral(world):
    return world.referrals["triage"]  # sent by the Met


def status_of(client: Client, reference: str, key: str):
    return client.get(f"/api/v1/referrals/{reference}", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_defaults_leave_room_for_the_benchmark_and_count_failures_lower():
    assert configured.API_RATE_LIMIT_PER_MINUTE >= 300 * 60  # benchmarks/api_bench.py: 300 a second from one key
    assert 0 < configured.API_FAILURES_PER_MINUTE < configured.API_RATE_LIMIT_PER_MINUTE


def test_reads_count_towards_the_organisations_limit(world, client, settings, met_key, met_referral):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert [status_of(client, met_referral.reference, met_key).status_code for _ in range(2)] == [200, 200]
    assert_limited(status_of(client, met_referral.reference, met_key))
    # Per organisation, not per address: another organisation's system on the same address is not held up.
    nhs_key = apikey_create(actor=None, organisation=world.orgs["nhs"])[1]
    assert status_of(client, met_referral.reference, nhs_key).status_code == 404


def test_reads_and_writes_share_the_organisations_limit(world, client, settings, met_key, met_referral):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    assert post(client, VALID, met_key).status_code == 201
    assert status_of(client, met_referral.reference, met_key).status_code == 200
    assert_limited(post(client, VALID, met_key))


def test_failed_authentication_is_limited_per_client_address(db, settings, behind_proxy):
    settings.API_FAILURES_PER_MINUTE = 3
    guesser, neighbour = survivor_behind_proxy("203.0.113.5"), survivor_behind_proxy("198.51.100.7")
    codes = [status_of(guesser, "HUB-0000-0000", f"chk_guess{i}").status_code for i in range(3)]
    assert codes == [401, 401, 401]
    limited = status_of(guesser, "HUB-0000-0000", "chk_guess4")
    assert_limited(limited)
    assert "failed requests" in limited.json()["detail"]
    assert status_of(neighbour, "HUB-0000-0000", "chk_guess5").status_code == 401


def test_other_failures_count_too_and_the_limit_covers_every_api_path(world, settings, met_key, met_referral):
    settings.API_FAILURES_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert status_of(client, "HUB-NOPE-NOPE", met_key).status_code == 404
    assert client.get("/api/v1/no-such-route").status_code == 404
    assert post(client, {}, met_key).status_code == 422
    # Three failures: from now on this address is refused, even with a good key, until the minute is out.
    assert_limited(status_of(client, met_referral.reference, met_key))
    assert_limited(client.get("/api/v1/openapi.json"))
    assert status_of(Client(REMOTE_ADDR="198.51.100.7"), met_referral.reference, met_key).status_code == 200


def test_successful_calls_are_not_counted_as_failures(world, settings, met_key, met_referral):
    settings.API_FAILURES_PER_MINUTE = 1
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert [status_of(client, met_referral.reference, met_key).status_code for _ in range(5)] == [200] * 5


def test_the_count_starts_again_in_the_next_window(world, monkeypatch, settings, met_key, met_referral):
    settings.API_RATE_LIMIT_PER_MINUTE = 1
    client = Client()
    assert status_of(client, met_referral.reference, met_key).status_code == 200
    assert status_of(client, met_referral.reference, met_key).status_code == 429
    monkeypatch.setattr(ratelimit, "now", lambda: STOPPED_AT + 30)
    assert status_of(client, met_referral.reference, met_key).status_code == 200
