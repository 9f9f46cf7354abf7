"""POST /api/v1/referrals: validation, idempotency, limits and the sealed rule, through the real HTTP stack."""

from __future__ import annotations

import copy
import json

import pytest

from carehub.accounts.apikeys import apikey_create
from carehub.audit.models import AuditEvent, SealedAuditEvent
from carehub.cases.models import Case
from carehub.people.models import Survivor
from carehub.referrals import services
from carehub.referrals.models import Consent, Referral, ReferralEvent, Status

VALID = {
    "survivor": {
        "given_name": "Ngozi",
        "family_name": "Apimarker",
        "date_of_birth": "1988-02-29",
        "phone": "07700 900123",
        "postcode": "E1 6AN",
    },
    "borough": "E09000030",
    "abuse_types": ["physical", "coercive_control"],
    "needs": ["idva"],
    "wants_by_and_for": "black_minoritised",
    # No immigration status: the met's key is a police force's, which may not record one (see test_api_strict).
    "equality": {"police_ethnicity_code": "B2", "sex": "female"},
    "safe_contact": {"phone_ok": True, "voicemail_ok": False, "safe_times": "weekdays 10-12", "safe_word": "tulip"},
    "consent": {
        "referral": True,
        "share_with": [{"organisation": "quaymarsh-womens-service", "expires_on": "2099-06-30"}],
    },
    "referrer": {"name": "PC Percy Grant", "role": "Safeguarding officer"},
}


@pytest.fixture
def met_key(world):
    return apikey_create(actor=None, organisation=world.orgs["met"])[1]


def post(client, body, key, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(
        "/api/v1/referrals", data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}", **headers
    )


def test_a_valid_referral_is_created_with_its_consents_history_and_audit(world, client, met_key):
    response = post(client, VALID, met_key)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received"
    referral = Referral.objects.get(reference=body["reference"])
    assert referral.referring_organisation == world.orgs["met"]
    assert referral.survivor.identity.family_name == "Apimarker"
    assert referral.survivor.ethnicity == "black_african"  # B2 mapped to the ONS category
    assert referral.age_band and referral.age_at_referral >= 37
    assert referral.survivor.unseal(referral.contact_sealed)["safe_contact"]["safe_word"] == "tulip"
    assert Consent.objects.filter(referral=referral, kind="sharing", recipient=world.orgs["solace"]).exists()
    assert ReferralEvent.objects.filter(referral=referral, to_status=Status.RECEIVED).count() == 1
    assert AuditEvent.objects.filter(object_type="referral", object_id=referral.reference, action="create").exists()


def test_the_same_idempotency_key_twice_makes_one_referral(world, client, met_key):
    first = post(client, VALID, met_key, HTTP_IDEMPOTENCY_KEY="met-case-123")
    second = post(client, VALID, met_key, HTTP_IDEMPOTENCY_KEY="met-case-123")
    assert first.status_code == second.status_code == 201
    assert first.json()["reference"] == second.json()["reference"]
    assert Referral.objects.filter(idempotency_key="met-case-123").count() == 1


def test_a_reused_key_with_a_different_body_is_refused_and_stores_nothing(world, client, met_key):
    post(client, VALID, met_key, HTTP_IDEMPOTENCY_KEY="k1")
    changed = copy.deepcopy(VALID)
    changed["survivor"]["given_name"] = "Someone else"
    before = Referral.objects.count()
    response = post(client, changed, met_key, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert Referral.objects.count() == before


def test_the_same_key_from_another_organisation_is_a_different_referral(world, client, met_key):
    nhs_key = apikey_create(actor=None, organisation=world.orgs["nhs"])[1]
    a = post(client, VALID, met_key, HTTP_IDEMPOTENCY_KEY="shared")
    b = post(client, VALID, nhs_key, HTTP_IDEMPOTENCY_KEY="shared")
    assert a.json()["reference"] != b.json()["reference"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("survivor", "date_of_birth", "1990-02-30"), "survivor.date_of_birth", "real date"),
        (("survivor", "date_of_birth", "2999-01-01"), "survivor.date_of_birth", "future"),
        (("equality", "ethnicity", "martian"), "equality.ethnicity", "allowed values"),
        (("equality", "police_ethnicity_code", "Z7"), "equality.police_ethnicity_code", "A1 to O9"),
        ((None, "borough", "E09999999"), "borough", "London borough"),
        ((None, "needs", ["independent_advisory"]), "needs", "perpetrator_police"),
        (("consent", "referral", False), "consent.referral", "must agree"),
        ((None, "abuse_types", ["physical", "gossip"]), "abuse_types.1", "allowed values"),
    ],
)
def test_bad_input_names_the_field_in_plain_words_and_stores_nothing(world, client, met_key, change, field, words):
    body = copy.deepcopy(VALID)
    section, key, value = change
    (body[section] if section else body)[key] = value
    before = (Referral.objects.count(), AuditEvent.objects.count())
    response = post(client, body, met_key)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert (Referral.objects.count(), AuditEvent.objects.count()) == before


def test_a_missing_section_is_named(world, client, met_key):
    body = copy.deepcopy(VALID)
    del body["referrer"]
    errors = post(client, body, met_key).json()["errors"]
    assert {"field": "referrer", "message": "is required"} in errors


def test_an_unknown_sharing_recipient_is_refused(world, client, met_key):
    body = copy.deepcopy(VALID)
    body["consent"]["share_with"] = [{"organisation": "no-such-org"}]
    response = post(client, body, met_key)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "consent.share_with.0.organisation"
    assert not Referral.objects.filter(survivor__isnull=False, channel="api").exists()


def test_a_body_that_is_not_json_is_a_clear_error(world, client, met_key):
    response = post(client, "{not json", met_key)
    assert response.status_code in {400, 422}
    assert response["Content-Type"] == "application/problem+json"


def test_a_10_mb_body_is_refused_before_it_is_read(world, client, met_key):
    huge = json.dumps({**VALID, "padding": "x" * (10 * 1024 * 1024)})
    response = post(client, huge, met_key)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert not Referral.objects.filter(channel="api").exists()


def test_errors_never_echo_the_submitted_values(world, client, met_key):
    body = copy.deepcopy(VALID)
    body["survivor"]["date_of_birth"] = "Apimarker-secret"
    response = post(client, body, met_key)
    assert "Apimarker" not in response.content.decode()


def test_a_police_perpetrated_referral_is_sealed_and_answers_only_received(world, client, met_key):
    body = copy.deepcopy(VALID)
    body["perpetrator_police"] = "serving"
    response = post(client, body, met_key)
    assert response.json()["status"] == "received"
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert referral.sealed
    assert referral.routed_service == world.services["ias"]
    assert Case.objects.get(referral=referral).sealed
    status = client.get(f"/api/v1/referrals/{referral.reference}", HTTP_AUTHORIZATION=f"Bearer {met_key}").json()
    assert status["status"] == "received"


def test_the_rate_limit_answers_429_with_retry_after(world, client, met_key, settings, monkeypatch):
    from carehub.core import ratelimit

    settings.API_RATE_LIMIT_PER_MINUTE = 2
    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_030.0)  # mid-window: the three calls share one minute
    codes = [post(client, VALID, met_key).status_code for _ in range(3)]
    assert codes[:2] == [201, 201]
    assert codes[2] == 429


def test_the_sealed_survivors_creation_is_a_sealed_audit_event(world, client, met_key):
    body = copy.deepcopy(VALID)
    body["perpetrator_police"] = "staff"
    reference = post(client, body, met_key).json()["reference"]
    referral = Referral.objects.get(reference=reference)
    created = SealedAuditEvent.objects.filter(survivor_id=referral.survivor_id, action="create")
    assert created.count() == 2  # the survivor and the referral
    assert all(created.values_list("sealed", flat=True))
    assert not AuditEvent.objects.filter(survivor_id=referral.survivor_id).exists(), "the hub's chain never sees her"


def test_a_reference_already_taken_is_drawn_again_and_the_referral_taken_in(world, client, met_key, monkeypatch):
    taken = Referral.objects.get(reference=post(client, VALID, met_key).json()["reference"])
    draws = iter([taken.reference, "CH-ZZZZ-2345"])
    monkeypatch.setattr(services, "new_reference", lambda: next(draws))
    before = (Referral.objects.count(), ReferralEvent.objects.count(), Survivor.objects.count())
    response = post(client, VALID, met_key, HTTP_IDEMPOTENCY_KEY="met-case-777")
    assert response.status_code == 201, response.content
    assert response.json()["reference"] == "CH-ZZZZ-2345"
    # One referral more, with one event and one survivor: nothing left over from the first draw.
    assert (Referral.objects.count(), ReferralEvent.objects.count(), Survivor.objects.count()) == tuple(
        n + 1 for n in before
    )


def test_references_taken_every_time_fail_cleanly_and_store_nothing(world, client, met_key, monkeypatch):
    taken = Referral.objects.get(reference=post(client, VALID, met_key).json()["reference"])
    monkeypatch.setattr(services, "new_reference", lambda: taken.reference)
    before = (Referral.objects.count(), Survivor.objects.count(), AuditEvent.objects.count())
    client.raise_request_exception = False
    assert post(client, VALID, met_key).status_code == 500
    assert (Referral.objects.count(), Survivor.objects.count(), AuditEvent.objects.count()) == before
