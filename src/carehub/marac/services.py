"""Writes to MARAC referrals: made from a high-risk assessment, then the meeting, its actions and its outcome.

Every write takes `actor=`, checks through the access policy that the actor may work on the record (a service never
acts on a record its actor cannot see), and writes its audit event in the same transaction. Audit `changes` hold
codes, dates and public ids only: what an action says about her never enters the trail.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.core.services import ServiceError
from carehub.marac.history import is_repeat
from carehub.marac.models import MaracAction, MaracOutcome, MaracReferral
from carehub.referrals import risk
from carehub.referrals.models import DashAssessment, Referral


class MaracError(ServiceError):
    """A MARAC request that cannot be carried out (core.services.ServiceError: a message and the field it concerns)."""


# --- making the MARAC referral -----------------------------------------------------------------------------------


def marac_refer(*, actor, referral: Referral, assessment: DashAssessment) -> MaracReferral | None:
    """Refer her to her borough's MARAC when the assessment met the criteria; None when it did not.

    A second assessment of the same referral keeps the first MARAC referral (one per referral).
    """
    if not assessment.marac_referral:
        return None
    existing = MaracReferral.objects.filter(referral=referral).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    repeat = assessment.marac_repeat or is_repeat(referral.survivor, on=today, sealed=referral.sealed)
    with transaction.atomic():
        marac = MaracReferral(
            referral=referral,
            survivor=referral.survivor,
            borough=referral.borough,
            sealed=referral.sealed,
            referred_on=today,
            criteria=list(assessment.high_risk_reasons),
            repeat=repeat,
            created_at=timezone.now(),
            created_by=actor,
        )
        marac.full_clean(exclude=["referral", "survivor", "created_by"], validate_constraints=False)
        marac.save()
        audit.record_for(
            actor,
            Action.CREATE,
            marac,
            changes={"borough": marac.borough, "repeat": repeat},
            event=EventType.MARAC_REFERRED,
        )
    return marac


def sealed_assess_and_refer(*, actor, referral: Referral, expected_version: int, triage) -> DashAssessment:
    """The independent adviser's DASH of a sealed referral and, if the criteria are met, a sealed MARAC referral."""
    if (
        not policy.works_in_independent_service(actor)
        or not policy.referrals_visible_to(actor).filter(pk=referral.pk).exists()
    ):
        raise MaracError("Only the independent advisory service assesses this referral.")
    with transaction.atomic():
        assessment = risk.referral_assess_sealed(
            actor=actor, referral=referral, expected_version=expected_version, triage=triage
        )
        marac_refer(actor=actor, referral=referral, assessment=assessment)
    return assessment


# --- the meeting, its actions, its outcome -----------------------------------------------------------------------


def _require_visible(actor, marac: MaracReferral) -> None:
    if not policy.marac_referrals_visible_to(actor).filter(pk=marac.pk).exists():
        raise MaracError("This MARAC referral is not one you can work on.")


def _require_not_heard(marac: MaracReferral) -> None:
    if marac.outcome:
        raise MaracError("The outcome of this MARAC referral has been recorded: it can no longer be changed.")


def marac_meeting_set(*, actor, marac: MaracReferral, meeting_date: dt.date) -> MaracReferral:
    """The date of the MARAC meeting that will hear her case (or a new date, when it is deferred)."""
    _require_visible(actor, marac)
    _require_not_heard(marac)
    if meeting_date < marac.referred_on:
        raise MaracError("The meeting cannot be before the referral was made.", field="meeting_date")
    with transaction.atomic():
        old = marac.meeting_date
        MaracReferral.objects.filter(pk=marac.pk).update(meeting_date=meeting_date)
        marac.refresh_from_db()
        audit.record_for(
            actor,
            Action.UPDATE,
            marac,
            changes={"meeting_date": [old.isoformat() if old else None, meeting_date.isoformat()]},
            event=EventType.MARAC_MEETING_SET,
        )
    return marac


def marac_action_add(*, actor, marac: MaracReferral, text: str, owner: str, due_on: dt.date) -> MaracAction:
    """An action agreed at the meeting, with the agency that owns it and when it is due."""
    _require_visible(actor, marac)
    if not text.strip():
        raise MaracError("Say what the action is.", field="text")
    if not owner.strip():
        raise MaracError("Say which agency owns the action.", field="owner")
    with transaction.atomic():
        action = MaracAction(
            marac=marac,
            text_sealed=marac.survivor.seal_for({"text": text.strip()}),
            owner=owner.strip(),
            due_on=due_on,
            created_at=timezone.now(),
            created_by=actor,
        )
        action.full_clean(exclude=["marac", "created_by"])
        action.save()
        audit.record_for(
            actor,
            Action.UPDATE,
            marac,
            changes={"action_added": action.public_id, "due_on": due_on.isoformat()},
            event=EventType.MARAC_ACTION_ADDED,
        )
    return action


def marac_action_done(*, actor, action: MaracAction) -> MaracAction:
    """Mark an action done. Done once: marking it again changes nothing and says so."""
    marac = action.marac
    _require_visible(actor, marac)
    with transaction.atomic():
        if not MaracAction.objects.filter(pk=action.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor
        ):
            raise MaracError("This action is already marked done.")
        action.refresh_from_db()
        audit.record_for(
            actor, Action.UPDATE, marac, changes={"action_done": action.public_id}, event=EventType.MARAC_ACTION_DONE
        )
    return action


def marac_outcome_record(*, actor, marac: MaracReferral, outcome: str) -> MaracReferral:
    """What the MARAC decided. Heard with actions agreed needs at least one action recorded first."""
    _require_visible(actor, marac)
    _require_not_heard(marac)
    if outcome not in MaracOutcome.values:
        raise MaracError("Choose the outcome.", field="outcome")
    if outcome != MaracOutcome.NOT_HEARD and marac.meeting_date is None:
        raise MaracError("Record the meeting date before the outcome.", field="outcome")
    if outcome == MaracOutcome.ACTIONS_AGREED and not marac.actions.exists():
        raise MaracError("Add the actions agreed before recording this outcome.", field="outcome")
    with transaction.atomic():
        MaracReferral.objects.filter(pk=marac.pk).update(outcome=outcome, outcome_recorded_at=timezone.now())
        marac.refresh_from_db()
        audit.record_for(
            actor, Action.UPDATE, marac, changes={"outcome": outcome}, event=EventType.MARAC_OUTCOME_RECORDED
        )
    return marac
