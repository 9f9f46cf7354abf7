"""GET /api/v1/referrals/{reference}: the status, for the organisation that sent it only."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from carehub.accounts.apikeys import apikey_create, apikey_revoke


@pytest.fixture
def key_for(world):
    def make(org_key: str) -> str:
        _, full = apikey_create(actor=None, organisation=world.orgs[org_key])
        return full

    return make


def get_status(client, reference: str, key: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(f"/api/v1/referrals/{reference}", **headers)


def test_the_sender_sees_the_status(world, client, key_for):
    response = get_status(client, world.referrals["triage"].reference, key_for("met"))
    assert response.status_code == 200
    assert response.json() == {
        "reference": world.referrals["triage"].reference,
        "status": "in_triage",
        "status_label": "In triage",
    }


def test_a_sealed_referral_answers_received_and_nothing_more(world, client, key_for):
    response = get_status(client, world.referrals["sealed"].reference, key_for("met"))
    assert response.json()["status"] == "received"
    assert "Independent" not in response.content.decode()


def test_another_organisation_gets_the_same_404_as_for_a_missing_referral(world, client, key_for):
    nhs = key_for("nhs")
    other = get_status(client, world.referrals["triage"].reference, nhs)
    missing = get_status(client, "CH-ZZZZ-ZZZZ", nhs)
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content
    assert other["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("key", [None, "nonsense", "chk_abc_def", "Bearer"])
def test_no_or_bad_key_is_401_problem_json(world, client, key):
    response = get_status(client, world.referrals["triage"].reference, key)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_a_revoked_key_stops_working(world, client):
    record, full = apikey_create(actor=None, organisation=world.orgs["met"])
    assert get_status(client, world.referrals["triage"].reference, full).status_code == 200
    apikey_revoke(actor=None, key=record)
    assert get_status(client, world.referrals["triage"].reference, full).status_code == 401


def test_a_key_checked_moments_ago_is_trusted_without_a_query_until_any_key_is_revoked(world, client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from carehub.accounts.apikeys import organisation_for_key

    _, full = apikey_create(actor=None, organisation=world.orgs["met"])
    other, _ = apikey_create(actor=None, organisation=world.orgs["met"])
    assert organisation_for_key(full) == world.orgs["met"]
    with CaptureQueriesContext(connection) as queries:
        assert organisation_for_key(full) == world.orgs["met"]
    assert len(queries) == 0
    wrong_secret = full[:-1] + ("A" if full[-1] != "A" else "B")
    assert organisation_for_key(wrong_secret) is None  # the right prefix with a wrong secret is never remembered
    apikey_revoke(actor=None, key=other)  # any revocation: every process checks its keys again
    with CaptureQueriesContext(connection) as queries:
        assert organisation_for_key(full) == world.orgs["met"]
    assert len(queries) == 1
    settings.API_KEY_RECHECK_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        organisation_for_key(full)
    assert len(queries) == 1


def test_keys_are_stored_hashed_and_created_from_the_command(world, capsys):
    call_command("apikey", "create", "--org", world.orgs["met"].slug)
    full = capsys.readouterr().out.strip()
    assert full.startswith("chk_")
    stored = world.orgs["met"].api_keys.get()
    assert full.split("_", 2)[2] not in (stored.key_hash, stored.prefix)


def test_the_openapi_schema_is_published(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/referrals/{reference}" in response.json()["paths"]
