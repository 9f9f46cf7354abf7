"""Closing a high-risk case, or one with open MARAC actions or unstarted goals, needs a manager and a reason;
a closed case reopens within 28 days, as the same case, and not after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit.models import AuditEvent
from carehub.cases import closure, services
from carehub.cases.models import Case, CaseStatus, NotAnswered
from carehub.cases.services import Measures
from carehub.marac import services as marac_services
from carehub.marac.models import MaracReferral
from carehub.referrals.models import Referral, RiskLevel


@pytest.fixture
def case(world):
    case = world.cases["solace"]
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN, opened_at=timezone.now())
    case.refresh_from_db()
    return case


def close(world, case, persona, manager_reason=""):
    case.refresh_from_db()
    return services.case_close(
        actor=world.users[persona],
        case=case,
        expected_version=case.version,
        reason="completed",
        measures=Measures(not_answered=NotAnswered.UNREACHABLE),
        manager_reason=manager_reason,
    )


def high_risk(case):
    Referral.objects.filter(pk=case.referral_id).update(risk_level=RiskLevel.HIGH)
    case.referral.refresh_from_db()


def test_a_caseworker_closes_a_standard_risk_case_alone(world, case):
    close(world, case, "alice")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_caseworker_cannot_close_a_high_risk_case(world, case):
    high_risk(case)
    with pytest.raises(closure.ClosureRefused, match="manager must confirm"):
        close(world, case, "alice")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_a_manager_closes_a_high_risk_case_with_a_reason(world, case):
    high_risk(case)
    with pytest.raises(closure.ClosureRefused) as refused:
        close(world, case, "amara")
    assert refused.value.field == "manager_reason"
    reason = "Moved to a refuge out of London; handed over"
    close(world, case, "amara", manager_reason=reason)
    closed = Case.objects.get(pk=case.pk)
    assert closed.status == CaseStatus.CLOSED
    assert closed.survivor.unseal(closed.closure_note_sealed) == {
        "reason": "Moved to a refuge out of London; handed over"
    }
    event = AuditEvent.objects.filter(object_id=case.public_id).latest("seq")
    assert event.changes["confirmed_by_manager"] is True
    assert "refuge" not in str(event.changes)


def test_open_marac_actions_or_unstarted_goals_need_a_manager(world, case):
    services.goal_create(actor=world.users["alice"], case=case, text="Housing")
    assert closure.closure_concerns(case) == ["1 goal has not been started."]
    case.goals.all().delete()
    marac = MaracReferral.objects.create(
        referral=case.referral,
        survivor=case.survivor,
        borough="E09000030",
        referred_on=dt.date(2026, 1, 5),
        created_at=timezone.now(),
    )
    action = marac_services.marac_action_add(
        actor=world.users["hana"], marac=marac, text="x", owner="Housing", due_on=dt.date(2026, 2, 1)
    )
    with pytest.raises(closure.ClosureRefused, match="MARAC action is still open"):
        close(world, case, "alice")
    marac_services.marac_action_done(actor=world.users["hana"], action=action)
    close(world, case, "alice")


def test_a_manager_reopens_a_case_within_28_days_as_the_same_case(world, case):
    close(world, case, "alice")
    case.refresh_from_db()
    closure.case_reopen(actor=world.users["amara"], case=case, expected_version=case.version, reason="She called")
    case.refresh_from_db()
    assert (case.status, case.closed_at, case.caseworker) == (CaseStatus.OPEN, None, world.users["alice"])
    assert case.referral.__class__.objects.get(pk=case.referral_id).status == "accepted"
    assert case.reopenings.count() == 1


def test_after_28_days_she_needs_a_new_referral(world, case):
    close(world, case, "alice")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=29))
    case.refresh_from_db()
    with pytest.raises(closure.ClosureRefused, match="again through the hub"):
        closure.case_reopen(actor=world.users["amara"], case=case, expected_version=case.version, reason="x")


def test_a_caseworker_cannot_reopen(world, case):
    close(world, case, "alice")
    case.refresh_from_db()
    with pytest.raises(closure.ClosureRefused):
        closure.case_reopen(actor=world.users["alice"], case=case, expected_version=case.version, reason="x")


def test_the_close_page_says_a_manager_must_confirm_a_high_risk_closure(world, case, client_for):
    high_risk(case)
    page = client_for("alice").get(reverse("cases:close", kwargs={"public_id": case.public_id}))
    assert "A manager must confirm this closure" in page.content.decode()
