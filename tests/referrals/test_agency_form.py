"""Issue 12: the agency referral form speaks about her, takes what only an agency knows, and shares by kind."""

from __future__ import annotations

import re

from carehub.audit.models import AuditEvent
from carehub.referrals.models import Consent, Referral


def _form(client) -> tuple[str, str]:
    page = client.get("/referrals/new/").content.decode()
    return page, re.search(r'name="submission_id" value="([^"]+)"', page).group(1)


def _data(submission: str, **extra) -> dict:
    return {
        "submission_id": submission,
        "about-given_name": "Rose",
        "about-family_name": "Formmarker",
        "contact-methods": ["text"],
        "contact-phone": "07700 900123",
        "situation-perpetrator_police": "no",
        "situation-perpetrator_relationship": "ex_partner",
        "situation-summary": "He broke the door on Friday.",
        "situation-agency_reference": "CAD 4411/12JAN",
        "situation-children_count": "2",
        "situation-children_ages": "3 and 7",
        "situation-childrens_services_aware": "yes",
        "support-worker_gender": "no_preference",
        "consent-consent_to_referral": "on",
        "consent-share_with": ["idva", "children"],
        "referrer-referrer_name": "PC Percy",
        "referrer-referrer_phone": "020 7946 0000",
        **extra,
    }


def test_the_form_asks_in_agency_words_and_offers_kinds_not_organisations(world, client_for):
    page, _ = _form(client_for("percy"))
    assert "Who is hurting her?" in page and "Who is hurting you?" not in page
    assert "CAD or CRIS" in page and "How many children live in her household?" in page
    assert "Children&#x27;s services" in page or "Children's services" in page
    assert "Mayor&#x27;s Office" not in page and "London Victim Care Hub</label>" not in page


def test_a_police_referral_keeps_children_reference_summary_sealed_and_consent_by_kind(world, client_for):
    client = client_for("percy")
    _, submission = _form(client)
    done = client.post("/referrals/new/", _data(submission))
    assert done.status_code == 200, done.content.decode()[:2000]
    referral = Referral.objects.get(idempotency_key=submission)
    assert (referral.children_count, referral.children_ages, referral.childrens_services_aware) == (2, "3 and 7", "yes")
    assert referral.agency_reference == "CAD 4411/12JAN"
    assert b"broke the door" not in bytes(referral.summary_sealed)
    assert referral.survivor.unseal(referral.summary_sealed) == {"summary": "He broke the door on Friday."}
    kinds = set(Consent.objects.filter(referral=referral, kind="sharing").values_list("recipient_kind", flat=True))
    assert kinds == {"idva", "children"}
    hub_page = client_for("hana").get(f"/referrals/{referral.reference}/").content.decode()
    assert "broke the door" in hub_page and "CAD 4411/12JAN" in hub_page and "aged 3 and 7" in hub_page


def test_a_sealed_police_referral_says_where_it_went_without_naming_the_service(world, client_for):
    client = client_for("percy")
    _, submission = _form(client)
    done = client.post("/referrals/new/", _data(submission, **{"situation-perpetrator_police": "serving"}))
    body = done.content.decode()
    assert done.status_code == 200
    assert "independent advisory service" in body and "will not appear in your organisation" in body
    assert world.orgs["ias"].name not in body
    assert "referrals your organisation sent" not in body
    assert not AuditEvent.objects.filter(object_id=Referral.objects.get(idempotency_key=submission).reference).exists()


def test_a_sealed_health_referral_names_the_independent_service(world, client_for):
    client = client_for("gina")
    _, submission = _form(client)
    done = client.post("/referrals/new/", _data(submission, **{"situation-perpetrator_police": "former"}))
    assert world.orgs["ias"].name in done.content.decode()
