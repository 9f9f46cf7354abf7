"""When closing a case needs a manager, and reopening a closed one.

A high-risk case, one with MARAC actions still open, or one whose support plan has a goal not yet started must not
close in one click: a manager confirms, with a reason (a caseworker is told to ask one). A closed case can be
reopened within 28 days with a reason, as the same case, so her history stays one episode; after that she needs a
new referral, because her situation, risk and consent must be looked at afresh.

Reasons are free text and can name her or him, so they are sealed under her data key; the audit trail records
that a reason was given, never what it says.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.models import Case, CaseReopening, CaseStatus, GoalStatus
from carehub.cases.selectors import can_allocate
from carehub.core.services import ServiceError
from carehub.marac.history import open_actions
from carehub.referrals.models import Referral, ReferralEvent, RiskLevel, Status

REOPEN_WINDOW = dt.timedelta(days=28)


class ClosureRefused(ServiceError):
    """Closing or reopening refused (core.services.ServiceError: a message and the field it concerns), so that
    core.actions.attempt puts it on the form like any other refusal."""


def closure_concerns(case: Case) -> list[str]:
    """Why closing this case needs a manager's confirmation; empty when a caseworker may close it alone."""
    concerns = []
    if case.referral.risk_level == RiskLevel.HIGH:
        concerns.append("She was assessed as high risk.")
    actions = open_actions(case.survivor_id, [case.referral_id])
    if actions:
        concerns.append(f"{actions} MARAC action{'s are' if actions != 1 else ' is'} still open.")
    unstarted = case.goals.filter(status=GoalStatus.NOT_STARTED).count()
    if unstarted:
        concerns.append(f"{unstarted} goal{'s have' if unstarted != 1 else ' has'} not been started.")
    return concerns


def confirm_closure(*, actor, case: Case, manager_reason: str) -> str:
    """Refuse a closure that needs a manager unless a manager of the case's service confirms it with a reason.

    Returns the sealed reason's audit marker ("" when no confirmation was needed). Called by `case_close` inside
    its transaction.
    """
    concerns = closure_concerns(case)
    if not concerns:
        return ""
    if not can_allocate(actor, case):
        raise ClosureRefused(
            "A manager must confirm this closure: " + " ".join(concerns) + " Ask your service manager to close it."
        )
    if not manager_reason.strip():
        raise ClosureRefused("Give your reason for closing: " + " ".join(concerns), field="manager_reason")
    Case.objects.filter(pk=case.pk).update(closure_note_sealed=case.survivor.seal_for({"reason": manager_reason}))
    return "manager_confirmed"


def can_reopen(case: Case, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return case.status == CaseStatus.CLOSED and case.closed_at is not None and now - case.closed_at <= REOPEN_WINDOW


def case_reopen(*, actor, case: Case, expected_version: int, reason: str) -> CaseReopening:
    """Reopen a case closed in the last 28 days: the same case, back with its caseworker (or on the waiting list)."""
    if not can_allocate(actor, case):
        raise ClosureRefused("Only a manager of this service can reopen its cases.")
    if not can_reopen(case):
        raise ClosureRefused(
            "This case closed more than 28 days ago and cannot be reopened: refer her again through the hub."
        )
    if not reason.strip():
        raise ClosureRefused("Say why the case is reopening.", field="reason")
    with transaction.atomic():
        status = CaseStatus.OPEN if case.caseworker_id else CaseStatus.WAITING
        if not Case.objects.filter(pk=case.pk, version=expected_version, status=CaseStatus.CLOSED).update(
            status=status, closed_at=None, closure_reason="", version=F("version") + 1
        ):
            raise ClosureRefused("Someone else changed this case meanwhile. Nothing has been saved.")
        case.refresh_from_db()
        reopening = CaseReopening.objects.create(
            case=case, at=timezone.now(), by=actor, reason_sealed=case.survivor.seal_for({"reason": reason})
        )
        if Referral.objects.filter(pk=case.referral_id, status=Status.CLOSED).update(
            status=Status.ACCEPTED, version=F("version") + 1
        ):
            ReferralEvent.objects.create(
                referral_id=case.referral_id,
                at=reopening.at,
                actor=actor,
                from_status=Status.CLOSED,
                to_status=Status.ACCEPTED,
                service=case.service,
                note="case reopened",
            )
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={"status": [CaseStatus.CLOSED, status], "reopened": True},
            event=EventType.CASE_REOPENED,
        )
    return reopening
