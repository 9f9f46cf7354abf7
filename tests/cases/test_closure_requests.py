"""Issue 12: a caseworker's close of a case that needs a manager becomes a request, listed for the service's managers,
who confirm it (the case closes as asked) or refuse it (it stays open), with a reason either way, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit.models import AuditEvent
from carehub.cases import closure_requests
from carehub.cases.models import Case, CaseStatus, ClosureRequest, ClosureRequestStatus, MeasureStage, NotAnswered
from carehub.cases.services import CaseError, Measures
from carehub.referrals.models import Referral, RiskLevel
from tests.cases.helpers import measures_post

NOTE = "She has moved to Leeds and is supported there"


@pytest.fixture
def case(world):
    case = world.cases["solace"]
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN, opened_at=timezone.now())
    Referral.objects.filter(pk=case.referral_id).update(risk_level=RiskLevel.HIGH)
    case.refresh_from_db()
    return case


def ask(world, case, note=NOTE) -> ClosureRequest:
    case.refresh_from_db()
    return closure_requests.closure_request(
        actor=world.users["alice"],
        case=case,
        expected_version=case.version,
        reason="moved_away",
        measures=Measures(not_answered=NotAnswered.UNREACHABLE),
        note=note,
    )


def events(case) -> list[dict]:
    return [e.changes for e in AuditEvent.objects.filter(object_id=case.public_id).order_by("seq")]


def test_a_caseworkers_close_of_a_high_risk_case_becomes_a_request_and_the_case_stays_open(world, case):
    with pytest.raises(CaseError, match="Say why the case should close now"):
        ask(world, case, note=" ")
    asked = ask(world, case)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert asked.concerns == ["She was assessed as high risk."]
    assert case.survivor.unseal(asked.note_sealed) == {"reason": NOTE}
    assert {"closure_requested": asked.public_id, "closure_reason": "moved_away"} in events(case)
    assert "Leeds" not in str(events(case))
    with pytest.raises(CaseError, match="already waiting"):
        ask(world, case)


def test_a_case_that_needs_no_manager_is_not_sent_to_one(world, case):
    Referral.objects.filter(pk=case.referral_id).update(risk_level=RiskLevel.STANDARD)
    case.referral.refresh_from_db()
    with pytest.raises(CaseError, match="close it yourself"):
        ask(world, case)


def test_the_manager_confirms_and_the_case_closes_as_asked(world, case):
    asked = ask(world, case)
    assert list(closure_requests.closures_to_confirm(world.users["amara"])) == [asked]
    assert list(closure_requests.closures_to_confirm(world.users["bea"])) == []  # another organisation's manager
    assert list(closure_requests.closures_to_confirm(world.users["alice"])) == []
    with pytest.raises(CaseError, match="Only a manager"):
        closure_requests.closure_confirm(actor=world.users["alice"], request=asked, note="ok")
    with pytest.raises(CaseError, match="reason for confirming"):
        closure_requests.closure_confirm(actor=world.users["amara"], request=asked, note="")
    closure_requests.closure_confirm(actor=world.users["amara"], request=asked, note="Handed over to Leeds IDVA")
    closed = Case.objects.get(pk=case.pk)
    assert (closed.status, closed.closure_reason) == (CaseStatus.CLOSED, "moved_away")
    assert closed.outcomes.get(stage=MeasureStage.CLOSURE).not_answered == NotAnswered.UNREACHABLE
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == (ClosureRequestStatus.CONFIRMED, world.users["amara"])
    assert {"closure_request": asked.public_id, "decision": "confirmed"} in events(case)
    assert any(e.get("confirmed_by_manager") for e in events(case))
    assert list(closure_requests.closures_to_confirm(world.users["amara"])) == []


def test_the_manager_refuses_and_the_caseworker_reads_why(world, case, client_for):
    asked = ask(world, case)
    closure_requests.closure_refuse(actor=world.users["amara"], request=asked, note="Her court date is next week")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert {"closure_request": asked.public_id, "decision": "refused"} in events(case)
    page = client_for("alice").get(reverse("cases:detail", kwargs={"public_id": case.public_id})).content.decode()
    assert "A manager refused to close this case" in page and "Her court date is next week" in page
    with pytest.raises(CaseError, match="already been decided"):
        closure_requests.closure_confirm(actor=world.users["amara"], request=asked, note="x")


def test_through_the_pages_the_caseworker_asks_and_the_manager_confirms(world, case, client_for):
    alice, amara = client_for("alice"), client_for("amara")
    close_url = reverse("cases:close", kwargs={"public_id": case.public_id})
    page = alice.get(close_url).content.decode()
    assert "Ask a manager to close the case" in page and "Why should the case close now?" in page
    post = {"version": case.version, "reason": "completed", **measures_post()}
    refused = alice.post(close_url, post)
    assert refused.status_code == 400 and "Give your reason for closing the case now." in refused.content.decode()
    done = alice.post(close_url, {**post, "manager_reason": NOTE}, follow=True).content.decode()
    assert "Sent to your service manager to confirm" in done
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN

    home = amara.get(reverse("home")).content.decode()
    assert "Closures to confirm" in home
    listed = amara.get(reverse("cases:closures")).content.decode()
    decide_url = reverse("cases:closure_decide", kwargs={"public_id": case.public_id})
    assert decide_url in listed
    assert alice.get(reverse("cases:closures")).status_code == 404
    assert alice.get(decide_url).status_code == 404
    decision = amara.get(decide_url).content.decode()
    assert NOTE in decision and "She was assessed as high risk." in decision
    missing = amara.post(decide_url, {"decision": "confirm", "note": ""})
    assert missing.status_code == 400
    amara.post(decide_url, {"decision": "confirm", "note": "Agreed at supervision"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_manager_closing_a_high_risk_case_gives_the_reason_on_the_close_page(world, case, client_for):
    amara = client_for("amara")
    close_url = reverse("cases:close", kwargs={"public_id": case.public_id})
    assert "Your reason for confirming the closure" in amara.get(close_url).content.decode()
    post = {"version": case.version, "reason": "completed", **measures_post()}
    assert amara.post(close_url, post).status_code == 400
    amara.post(close_url, {**post, "manager_reason": "Safe in refuge, agreed with her"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
