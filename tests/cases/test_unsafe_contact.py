"""Issue 12: a contact logged by a way she said is not safe needs a reason, is flagged, and the audit says so."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit.models import AuditEvent
from carehub.cases import services
from carehub.cases.models import Contact
from carehub.cases.services import CaseError
from tests.cases.helpers import date_post
from tests.referrals.test_safe_contact import CONTACT  # texts only: calls, emails and voicemail are not safe


@pytest.fixture
def case(world):
    case = world.cases["solace"]
    referral = case.referral
    referral.contact_sealed = referral.survivor.seal_for(CONTACT)
    referral.save()
    case.refresh_from_db()
    return case


def log(world, case, kind, reason=""):
    return services.contact_create(
        actor=case.caseworker, case=case, kind=kind, on=timezone.localdate(), minutes=10, unsafe_reason=reason
    )


def test_a_safe_method_needs_no_reason(world, case):
    contact = log(world, case, "text")
    assert (contact.unsafe_method, contact.unsafe_reason_sealed) == (False, None)


@pytest.mark.parametrize("kind", ["call", "voicemail", "email"])
def test_a_method_she_said_is_unsafe_needs_a_reason_and_is_audited(world, case, kind):
    with pytest.raises(CaseError) as refused:
        log(world, case, kind)
    assert refused.value.field == "unsafe_reason"
    assert not Contact.objects.filter(case=case).exists()
    contact = log(world, case, kind, reason="She rang us from a friend's phone and asked us to call back")
    assert contact.unsafe_method is True
    assert case.survivor.unseal(contact.unsafe_reason_sealed)["reason"].startswith("She rang us")
    event = AuditEvent.objects.filter(object_id=case.public_id).latest("seq")
    assert event.changes["unsafe_method"] is True and event.changes["kind"] == kind
    assert "friend" not in str(event.changes)


def test_the_contact_form_names_the_unsafe_ways_and_asks_why(world, case, client_for):
    alice = client_for("alice")
    url = reverse("cases:contact_add", kwargs={"public_id": case.public_id})
    page = alice.get(url).content.decode()
    assert "She said these are not safe: phone call, email, voicemail message left." in page
    assert 'data-testid="safe-contact"' in page and "BLUEBELL" in page  # her panel above the form
    post = {"kind": "call", "minutes": 5, **date_post("on", timezone.localdate())}
    refused = alice.post(url, post)
    assert refused.status_code == 400
    assert "phone call is not a safe way to contact her" in refused.content.decode()
    assert 'href="#id_unsafe_reason"' in refused.content.decode()
    alice.post(url, {**post, "unsafe_reason": "She asked for a call at the refuge office"})
    assert Contact.objects.get(case=case).unsafe_method is True


def test_without_safe_contact_answers_nothing_is_asked(world, client_for):
    case = world.cases["sistah"]
    page = client_for("bola").get(reverse("cases:contact_add", kwargs={"public_id": case.public_id})).content.decode()
    assert "unsafe_reason" not in page
    assert log(world, case, "call").unsafe_method is False


def test_naming_no_safe_way_rules_none_out(world, case):
    referral = case.referral
    referral.contact_sealed = referral.survivor.seal_for({"safe_contact": {"safe_word": "BLUEBELL"}})
    referral.save()
    assert log(world, case, "call").unsafe_method is False
