"""Issue 12: the agency form's fields through the API, strictly: children, the agency's reference (a CAD or CRIS
number), its account of what happened, who else may answer her phone, and consent by kind of organisation."""

from __future__ import annotations

import copy

import pytest

from carehub.referrals.models import Referral
from tests.referrals.test_api_create import VALID, met_key, post  # noqa: F401 (met_key is a fixture)

AGENCY = {
    **copy.deepcopy(VALID),
    "summary": "Neighbours called police after hearing screaming; she has a cut to her head.",
    "agency_reference": "CAD 4312/17MAR",
    "children": {"count": 2, "ages": "3 and 7", "childrens_services_aware": "no"},
}
AGENCY["safe_contact"]["others_who_may_answer"] = "her mother-in-law"
AGENCY["consent"]["share_with_kinds"] = ["idva", "children"]
AGENCY["consent"]["share_with_kinds_expire_on"] = "2099-01-31"


def test_the_agency_fields_are_taken_in(world, client, met_key):  # noqa: F811
    response = post(client, AGENCY, met_key)
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert (referral.agency_reference, referral.children_count, referral.children_ages) == (
        "CAD 4312/17MAR",
        2,
        "3 and 7",
    )
    assert referral.childrens_services_aware == "no"
    assert referral.survivor.unseal(referral.summary_sealed) == {"summary": AGENCY["summary"]}
    contact = referral.survivor.unseal(referral.contact_sealed)["safe_contact"]
    assert contact["others_who_may_answer"] == "her mother-in-law"
    kinds = {c.recipient_kind: c.expires_on.isoformat() for c in referral.consents.filter(kind="sharing")}
    assert kinds == {"idva": "2099-01-31", "children": "2099-01-31", "": "2099-06-30"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["children"].update(count=-1), "children.count"),
        (lambda b: b["children"].update(count="2"), "children.count"),
        (lambda b: b["children"].update(count=21), "children.count"),
        (lambda b: b["children"].update(childrens_services_aware="maybe"), "children.childrens_services_aware"),
        (lambda b: b["children"].update(names="Tom"), "children.names"),
        (lambda b: b["children"].pop("count"), "children.count"),
        (lambda b: b.update(agency_reference="x" * 51), "agency_reference"),
        (lambda b: b.update(summary="x" * 4001), "summary"),
        (lambda b: b.update(crime_reference="1234"), "crime_reference"),
        (lambda b: b["consent"].update(share_with_kinds=["commissioner"]), "consent.share_with_kinds.0"),
        (lambda b: b["consent"].update(share_with_kinds=["police"]), "consent.share_with_kinds.0"),
        (lambda b: b["consent"].update(share_with_kinds=["idva", "idva"]), "consent.share_with_kinds"),
        (lambda b: b["consent"].update(share_with_kinds_expire_on="2001-01-01"), "consent.share_with_kinds_expire_on"),
        (lambda b: b["safe_contact"].update(who_else="him"), "safe_contact.who_else"),
    ],
)
def test_a_wrong_or_unknown_agency_field_is_refused_as_problem_json(world, client, met_key, change, field):  # noqa: F811
    body = copy.deepcopy(AGENCY)
    change(body)
    response = post(client, body, met_key)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]
    assert "Tom" not in response.content.decode() and "him" not in response.content.decode()
    assert not Referral.objects.filter(agency_reference="CAD 4312/17MAR").exists()
