"""Schemathesis against the served OpenAPI document: no server error and no status code the document does not list.

Bounded and derandomized: the same requests on every run, in well under the three minutes each `make test` database
run allows. The API is called in-process through Django's WSGI handler, inside the test's transaction.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from carehub.accounts.apikeys import apikey_create

OPENAPI = "/api/v1/openapi.json"


# Loaded when the module is collected: schemathesis' lazy fixture loader does not work with pytest 9.
# Serving the document reads no database.
schema = schemathesis.openapi.from_wsgi(OPENAPI, get_wsgi_application())


@pytest.fixture(autouse=True)
def _requests_inside_the_test_transaction():
    """Django's WSGI handler closes the database connection after each request; the test client stops it doing so,
    and so must we, or the test's transaction (and its world) would be gone after the first request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def nhs_key(world, settings):
    # The limits have their own tests; here they would only add noise (most generated requests are failures).
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    settings.API_FAILURES_PER_MINUTE = 1_000_000
    return apikey_create(actor=None, organisation=world.orgs["nhs"])[1]


# Not `positive_data_acceptance`: the document cannot say every rule a referral must meet (consent given, a name to
# call her by, a known organisation to share with), so schema-valid bodies are rightly refused with 422.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # a body the document forbids (an unknown field, a wrong type) must be refused
]


# The answers each operation's run must have given, so a change that stopped the generator reaching the error paths
# is noticed. 405 comes from the same path with methods the document does not list. The success path (201) is not
# asked of the generator: whether 60 generated bodies happen to include one the hub accepts (a name, consent, a
# consent expiry not in the past) depends on the Hypothesis release and on today's date, so it once failed a run with
# no change to Care Hub. `test_a_valid_referral_keeps_to_the_document` checks 201 with a body written for it.
MUST_SEE = {
    "POST /api/v1/referrals": {400, 401, 405, 415, 422},
    "GET /api/v1/referrals/{reference}": {401, 404, 405},
}


@pytest.fixture
def answers():
    """The status codes seen, by operation; checked once all of an operation's examples have run."""
    seen: dict[str, set[int]] = {}
    yield seen
    for operation, statuses in seen.items():
        missing = MUST_SEE[operation] - statuses
        assert not missing, f"{operation} never answered {sorted(missing)} (saw {sorted(statuses)})"


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=60, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_openapi_document(case, nhs_key, answers):
    response = case.call_and_validate(headers={"Authorization": f"Bearer {nhs_key}"}, checks=CHECKS)
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    answers.setdefault(operation, set()).add(response.status_code)


# A referral the hub accepts, with every section the document describes; consent to share ends far in the future so
# the body stays valid whatever today's date.
VALID_REFERRAL = {
    "survivor": {"given_name": "Ngozi", "family_name": "Apimarker", "date_of_birth": "1988-02-29"},
    "borough": "E09000030",
    "abuse_types": ["physical", "coercive_control"],
    "needs": ["idva"],
    "equality": {"police_ethnicity_code": "B2", "sex": "female"},
    "safe_contact": {"phone_ok": True, "voicemail_ok": False, "safe_times": "weekdays 10-12"},
    "consent": {
        "referral": True,
        "share_with": [{"organisation": "quaymarsh-womens-service", "expires_on": "2099-06-30"}],
    },
    "referrer": {"name": "PC Percy Grant", "role": "Safeguarding officer"},
}


def test_a_valid_referral_keeps_to_the_document(nhs_key):
    """The success path against the document: 201, its content type and the response body's schema."""
    case = schema["/api/v1/referrals"]["POST"].Case(body=VALID_REFERRAL, media_type="application/json")
    response = case.call_and_validate(headers={"Authorization": f"Bearer {nhs_key}"}, checks=CHECKS)
    assert response.status_code == 201, response.text
