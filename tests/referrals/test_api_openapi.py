"""The served OpenAPI document tells an agency's developer every answer an operation can give, and refuses extras."""

from __future__ import annotations

import pytest

from carehub.referrals.forms import RELATIONSHIPS

ERRORS = {
    ("post", "/api/v1/referrals"): {400, 401, 409, 413, 415, 422, 429, 500},
    ("get", "/api/v1/referrals/{reference}"): {401, 404, 413, 422, 429, 500},
}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(("method", "path"), list(ERRORS))
def test_every_error_an_operation_can_give_is_listed_as_problem_json(document, method, path):
    responses = document["paths"][path][method]["responses"]
    errors = {int(code) for code in responses if int(code) >= 400}
    assert errors == ERRORS[(method, path)]
    for code in errors:
        content = responses[str(code)]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        assert responses[str(code)]["description"]


def test_the_problem_schema_names_fields_in_errors(document):
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status"}
    assert problem["properties"]["errors"]["items"]["required"] == ["field", "message"]


def test_every_input_object_forbids_fields_it_does_not_know(document):
    schemas = document["components"]["schemas"]
    inputs = [name for name in schemas if name.endswith("In")]
    assert {"ReferralIn", "SurvivorIn", "EqualityIn", "SafeContactIn", "SharingIn", "ConsentIn", "ReferrerIn"} <= set(
        inputs
    )
    assert all(schemas[name]["additionalProperties"] is False for name in inputs)


def test_the_relationship_is_the_web_forms_choice(document):
    schemas = document["components"]["schemas"]
    assert schemas["PerpetratorRelationship"]["enum"] == [value for value, _label in RELATIONSHIPS]


def test_consent_must_be_true_and_booleans_are_booleans(document):
    consent = document["components"]["schemas"]["ConsentIn"]["properties"]["referral"]
    assert consent["type"] == "boolean"
    assert consent["const"] is True
