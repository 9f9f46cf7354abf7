"""A service takes a referral from its inbox to closure in the browser, with outcomes recorded before and after."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit.models import AuditEvent
from carehub.cases.models import Case, CaseStatus, MeasureStage, OutcomeMeasure
from carehub.cases.services import CLOSING_MEASURES_NEEDED
from carehub.core.public_ids import display
from carehub.referrals import services as referral_services
from carehub.referrals.models import Status
from carehub.referrals.services import TriageInput
from tests.cases.helpers import date_post, measures_post

GOAL = "Move somewhere he cannot find her"
PLAN = "Code word with her sister: pineapple"
NOTE = "Talked through the court date"


def url(name: str, case: Case, **extra) -> str:
    return reverse(f"cases:{name}", kwargs={"public_id": case.public_id, **extra})


@pytest.fixture
def accepted(world, client_for) -> Case:
    """The hub triages and offers the referral; Quaymarsh's manager accepts it from the inbox."""
    referral = world.referrals["triage"]
    referral.abuse_types = ["coercive_control", "stalking"]
    referral.save(update_fields=["abuse_types"])
    hub = world.users["hana"]
    referral_services.referral_triage(
        actor=hub,
        referral=referral,
        expected_version=referral.version,
        triage=TriageInput(answers={n: "no" for n in range(1, 25)}),
    )
    offer = referral_services.offer_create(
        actor=hub,
        referral=referral,
        service=world.services["solace"],
        expected_version=referral.version,
        hub_reason="Local IDVA service",
    )
    response = client_for("amara").post(
        reverse("offers:offer", kwargs={"public_id": offer.public_id}), {"action": "accept"}
    )
    case = Case.objects.get(referral=referral)
    assert response.status_code == 302 and response["Location"] == url("detail", case)
    return case


def test_a_referral_is_taken_through_to_closure_with_outcomes_recorded(world, client_for, accepted):
    case, amara, alice = accepted, client_for("amara"), client_for("alice")

    waiting = amara.get(reverse("cases:waiting")).text
    assert f"Case {display(case.public_id)}" in waiting and "0 days" in waiting

    response = amara.post(url("allocate", case), {"version": case.version, "caseworker": world.users["alice"].pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.caseworker, case.opened_at is not None) == (CaseStatus.OPEN, world.users["alice"], True)
    assert f"Case {display(case.public_id)}" not in amara.get(reverse("cases:waiting")).text

    abuse = {"abuse_coercive_control": "unchanged", "abuse_stalking": "worse"}
    posts = [
        ("outcomes_start", {}, {**measures_post(), **abuse}),
        ("goal_add", {}, {"text": GOAL}),
        ("safety_plan", {}, {"revision": 0, "plan": PLAN}),
        ("contact_add", {}, {"kind": "call", "minutes": 30, "note": NOTE, **date_post("on", timezone.localdate())}),
        ("contact_add", {}, {"kind": "advocacy", "minutes": 45, **date_post("on", timezone.localdate())}),
        ("document_add", {}, {"title": "Non-molestation order", "kind": "court", "held_at": "Her solicitor"}),
    ]
    for name, extra, data in posts:
        response = alice.post(url(name, case, **extra), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    goal = case.goals.get()
    assert alice.post(url("goal_update", case, goal_id=goal.public_id), {"status": "achieved"}).status_code == 302

    page = alice.get(url("detail", case)).text
    for expected in (GOAL, "Achieved", "pineapple", NOTE, "2 contacts, 75 minutes in all", "Non-molestation order"):
        assert expected in page

    refused = alice.post(url("close", case), {"version": case.version, "reason": "completed"})
    assert refused.status_code == 400
    assert CLOSING_MEASURES_NEEDED in refused.text
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN

    closing = {
        **measures_post(feels_safe=8, wellbeing=7, quality_of_life=7, confidence_help=9),
        "abuse_coercive_control": "reduced",
        "abuse_stalking": "stopped",
    }
    response = alice.post(url("close", case), {"version": case.version, "reason": "completed", **closing})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_at is not None) == ("closed", "completed", True)
    assert case.referral.status == Status.CLOSED
    start, end = (OutcomeMeasure.objects.get(case=case, stage=s) for s in (MeasureStage.START, MeasureStage.CLOSURE))
    assert end.change_from(start) == {"feels_safe": 5, "wellbeing": 3, "quality_of_life": 2, "confidence_help": 7}
    assert end.abuse == {"coercive_control": "reduced", "stalking": "stopped"}

    page = alice.get(url("detail", case)).text
    assert "+5" in page and "Stopped" in page and "Worse" in page
    assert "Log a contact" not in page  # nothing more is written to a closed case


def test_every_step_is_audited_against_the_case_without_what_she_said(world, client_for, accepted):
    case, alice = accepted, client_for("alice")
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    client_for("amara").post(url("allocate", case), {"version": case.version, "caseworker": world.users["alice"].pk})
    alice.post(url("goal_add", case), {"text": GOAL})
    alice.post(url("safety_plan", case), {"revision": 0, "plan": PLAN})
    # Her goal is not started, so closing needs a manager's confirmation and reason (cases.closure).
    client_for("amara").post(
        url("close", case),
        {"version": case.version + 1, "reason": "disengaged", "answered": "unreachable", "manager_reason": "No reply"},
    )
    writes = AuditEvent.objects.filter(seq__gt=before).exclude(action__in=["view", "sign_in"]).order_by("seq")
    assert [(e.object_type, e.object_id, e.survivor_id) for e in writes] == [
        ("case", case.public_id, case.survivor_id)
    ] * 4
    changes = [e.changes for e in writes]
    assert changes[0] == {"status": ["waiting", "open"], "caseworker": [None, world.users["alice"].pk]}
    assert "goal_added" in changes[1] and changes[2] == {"safety_plan_revision": 1}
    assert changes[3]["closure_reason"] == "disengaged" and changes[3]["not_answered"] == "unreachable"
    trail = str(changes)
    assert GOAL not in trail and "pineapple" not in trail
