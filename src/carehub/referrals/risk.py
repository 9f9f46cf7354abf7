"""Risk assessment on the sealed pathway: the independent adviser's DASH, recorded without the hub's triage.

A sealed referral never enters the hub's queue, so `services.referral_triage` refuses it; but a woman abused by an
officer can be at high risk like any other, and her adviser must be able to assess it and refer her to MARAC. This
records the same DashAssessment with the same rules, sets her risk on the referral, and leaves the referral's status
alone (she is already with the independent service). The audit event goes to the sealed chain, as every event about
a sealed record does.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.referrals import dash
from carehub.referrals.history import previous_marac
from carehub.referrals.models import DashAssessment, Referral
from carehub.referrals.services import ConcurrentChange, ReferralError, TriageInput, dash_assessment_save


def referral_assess_sealed(*, actor, referral: Referral, expected_version: int, triage: TriageInput) -> DashAssessment:
    """Record a DASH for a sealed referral (the independent service's own assessment)."""
    if not referral.sealed:
        raise ReferralError("Only a sealed referral is assessed here; the hub triages every other referral.")
    if triage.professional_judgement and not triage.professional_judgement_reason.strip():
        raise ReferralError("Give the reason for your professional judgement.", field="professional_judgement_reason")
    result = dash.assess(
        triage.answers,
        professional_judgement=triage.professional_judgement,
        police_callouts_12_months=triage.police_callouts_12_months,
        previous_marac=previous_marac(referral, triage.same_perpetrator_as_last_marac, triage.new_incident_is_criminal),
        today=timezone.localdate(),
    )
    now = timezone.now()
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, version=expected_version).update(
            version=F("version") + 1,
            risk_level=result.risk_level,
            dash_score=result.score,
            marac=result.marac_referral,
            marac_repeat=result.marac_repeat,
            triaged_at=now,
        )
        if not updated:
            raise ConcurrentChange(
                "Someone else changed this referral while you were working on it. Nothing you entered has been "
                "saved: check the referral as it is now and try again."
            )
        referral.refresh_from_db()
        assessment = dash_assessment_save(
            actor=actor,
            referral=referral,
            triage=triage,
            result=result,
            rules_version=dash.rules_from_settings().version,
            at=now,
        )
        changes = {"risk_assessed": True, "risk_level": result.risk_level}
        audit.record_for(actor, Action.UPDATE, referral, changes=changes, event=EventType.RISK_CHANGED)
    return assessment
