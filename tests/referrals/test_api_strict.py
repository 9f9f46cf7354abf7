"""POST /api/v1/referrals refuses what it would otherwise misread, and says which field, never what was in it.

The case that matters most: `"police_perpetrator": "serving"` (a misspelt `perpetrator_police`) was answered 201, the
field dropped, and a police-perpetrated referral sent to the hub's ordinary triage queue, outside the sealed pathway.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pydantic
import pytest
from django.utils import timezone

from carehub.accounts.apikeys import apikey_create
from carehub.audit.models import AuditEvent
from carehub.referrals.intake_schema import ReferralIn
from carehub.referrals.models import Referral
from tests.referrals.test_api_create import VALID, post


@pytest.fixture
def met_key(world):
    return apikey_create(actor=None, organisation=world.orgs["met"])[1]


@pytest.fixture
def nhs_key(world):
    return apikey_create(actor=None, organisation=world.orgs["nhs"])[1]


def body_with(path: str, value) -> dict:
    """VALID with `value` at a dotted path ("consent.referral"), made if missing."""
    body = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = body
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[last] = value
    return body


def refused(response, status: int = 422) -> list[dict]:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"] == "application/problem+json"
    return response.json().get("errors", [])


def stored() -> tuple[int, int]:
    return Referral.objects.count(), AuditEvent.objects.count()


# --- unknown fields ----------------------------------------------------------------------------------------------


def test_a_misspelt_police_field_is_refused_and_nothing_goes_to_the_hubs_queue(world, client, met_key):
    before = stored()
    errors = refused(post(client, body_with("police_perpetrator", "serving"), met_key))
    assert errors == [{"field": "police_perpetrator", "message": "is not a field Care Hub knows"}]
    assert stored() == before


@pytest.mark.parametrize(
    "path",
    [
        "survivor.nickname",
        "equality.race",
        "consent.share_with.0.until",
        "consent.everyone",
        "safe_contact.codeword",
        "referrer.team",
    ],
)
def test_an_unknown_field_in_any_section_is_named(world, client, met_key, path):
    errors = refused(post(client, body_with(path, "x"), met_key))
    assert {"field": path, "message": "is not a field Care Hub knows"} in errors


def test_every_unknown_field_is_named_at_once(world, client, met_key):
    body = body_with("police_perpetrator", "serving")
    body["survivor"]["nickname"] = "N"
    body["referrer"]["team"] = "T"
    fields = {e["field"] for e in refused(post(client, body, met_key))}
    assert fields == {"police_perpetrator", "survivor.nickname", "referrer.team"}


# --- bodies that are not JSON, or JSON read two ways ----------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_not_declared_as_json_is_415(world, client, met_key, content_type):
    response = client.post(
        "/api/v1/referrals", data=json.dumps(VALID), content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {met_key}"
    )
    refused(response, 415)
    assert not Referral.objects.filter(channel="api").exists()


def test_a_json_body_with_a_charset_or_a_json_suffix_is_read(world, client, met_key):
    for content_type in ["application/json; charset=utf-8", "application/merge-patch+json"]:
        response = client.post(
            "/api/v1/referrals",
            data=json.dumps(VALID),
            content_type=content_type,
            HTTP_AUTHORIZATION=f"Bearer {met_key}",
        )
        assert response.status_code == 201, response.content


def test_a_body_that_is_not_json_is_400_problem_json(world, client, met_key):
    assert refused(post(client, "{not json", met_key), 400) == []


def test_a_key_given_twice_is_refused_by_name_not_resolved_by_the_last(world, client, met_key):
    # The last one would win, and this sealed referral would go to the hub as an ordinary one.
    text = json.dumps(body_with("perpetrator_police", "serving"))[:-1] + ', "perpetrator_police": "no"}'
    before = stored()
    errors = refused(post(client, text, met_key))
    assert errors == [{"field": "perpetrator_police", "message": "is given more than once"}]
    assert stored() == before


def test_a_nested_key_given_twice_is_named_by_its_path(world, client, met_key):
    text = json.dumps(VALID).replace('"given_name": "Ngozi"', '"given_name": "Ngozi", "given_name": "Other"')
    assert refused(post(client, text, met_key)) == [
        {"field": "survivor.given_name", "message": "is given more than once"}
    ]


# --- NUL characters ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["survivor.given_name", "referrer.name", "safe_contact.safe_word", "borough"])
def test_a_nul_character_in_any_text_is_refused_by_name(world, client, met_key, path):
    before = stored()
    errors = refused(post(client, body_with(path, "Ng\x00ozi"), met_key))
    assert errors == [{"field": path, "message": "must not contain a NUL character"}]
    assert stored() == before


def test_the_schema_itself_refuses_a_nul_character(world):
    """The second line: the schema refuses a NUL even if the body reached it without the strict parser."""
    with pytest.raises(pydantic.ValidationError) as refusal:
        ReferralIn.model_validate(body_with("survivor.family_name", "A\x00"))
    [error] = refusal.value.errors()
    assert (error["loc"], error["type"]) == (("survivor", "family_name"), "string_pattern_mismatch")


# --- a police force's key and immigration status -------------------------------------------------------------------


def test_a_police_key_may_not_record_an_immigration_status(world, client, met_key):
    before = stored()
    errors = refused(post(client, body_with("equality.immigration_status", "asylum_seeker"), met_key))
    assert errors == [
        {"field": "equality.immigration_status", "message": "is not recorded from a police force's system"}
    ]
    assert stored() == before


def test_another_agency_key_may_record_an_immigration_status(world, client, nhs_key):
    response = post(client, body_with("equality.immigration_status", "asylum_seeker"), nhs_key)
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert referral.survivor.immigration_status == "asylum_seeker"


# --- loose input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("consent.referral", "true", "consent.referral", "must be true or false"),
        ("consent.referral", 1, "consent.referral", "must be true or false"),
        ("interpreter_needed", "yes", "interpreter_needed", "must be true or false"),
        ("safe_contact.phone_ok", 0, "safe_contact.phone_ok", "must be true or false"),
        ("equality", [], "equality", "must be an object"),
        ("survivor", [1, 2], "survivor", "must be an object"),
        ("consent.share_with", {"organisation": "solace"}, "consent.share_with", "must be a list"),
        ("referrer.name", "   ", "referrer.name", "is required"),
        ("survivor.date_of_birth", 631152000, "survivor.date_of_birth", "must be a date written as YYYY-MM-DD"),
        ("consent.share_with.0.expires_on", "2001-01-01", "consent.share_with.0.expires_on", "cannot be in the past"),
    ],
)
def test_loose_input_is_refused(world, client, met_key, path, value, field, message):
    before = stored()
    errors = refused(post(client, body_with(path, value), met_key))
    assert any(e["field"] == field and e["message"].startswith(message) for e in errors), errors
    assert stored() == before


def test_a_name_of_only_spaces_is_no_name(world, client, met_key):
    body = copy.deepcopy(VALID)
    body["survivor"].update(given_name="   ", family_name="\t", known_as=" ")
    errors = refused(post(client, body, met_key))
    assert errors == [{"field": "survivor", "message": "give at least one of given_name, family_name or known_as"}]


def test_text_is_stored_without_surrounding_spaces(world, client, met_key):
    response = post(client, body_with("survivor.given_name", "  Ngozi  "), met_key)
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert referral.survivor.identity.given_name == "Ngozi"


def test_a_sharing_expiry_of_today_is_accepted(world, client, met_key):
    today = timezone.localdate().isoformat()
    assert post(client, body_with("consent.share_with.0.expires_on", today), met_key).status_code == 201
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    refused(post(client, body_with("consent.share_with.0.expires_on", yesterday), met_key))


def test_the_perpetrators_relationship_is_one_of_the_forms_choices(world, client, met_key):
    response = post(client, body_with("perpetrator_relationship", "ex_partner"), met_key)
    assert Referral.objects.get(reference=response.json()["reference"]).perpetrator_relationship == "ex_partner"
    errors = refused(post(client, body_with("perpetrator_relationship", "boyfriend"), met_key))
    [error] = errors
    assert error["field"] == "perpetrator_relationship"
    assert "'partner'" in error["message"] and "'ex_partner'" in error["message"]


# --- never echo what was sent ------------------------------------------------------------------------------------

MARKER = "Zebedee-Secret-77"


@pytest.mark.parametrize(
    "path",
    [
        "perpetrator_relationship",
        "perpetrator_police",
        "equality.ethnicity",
        "equality.police_ethnicity_code",
        "equality.interpreter_needed",
        "survivor.date_of_birth",
        "consent.referral",
        "consent.share_with.0.expires_on",
        "consent.share_with.0.organisation",
        "abuse_types",
        "borough",
        "survivor",
    ],
)
def test_errors_never_echo_the_submitted_value(world, client, met_key, path):
    response = post(client, body_with(path, MARKER), met_key)
    assert response.status_code == 422, response.content
    assert MARKER.lower() not in response.content.decode().lower()
