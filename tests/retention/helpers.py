"""Records that reach their date: the world's cases closed, free text written about her, and the day to run for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from carehub.cases.models import Case, CaseStatus, Contact
from carehub.independent.models import Disclosure
from carehub.marac.models import MaracAction
from carehub.referrals.models import DashAssessment, Offer, ReferralEvent, Status

# Six years after a closure today, and a day: the closed records are due, nothing else is.
AS_OF = timezone.localdate() + dt.timedelta(days=6 * 366 + 1)


def close(case: Case) -> None:
    """Closed now (tests set the state directly: closing through cases' service is tested there)."""
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    case.referral.__class__.objects.filter(pk=case.referral_id).update(status=Status.ACCEPTED)


@dataclass
class Written:
    """The free text written about one survivor: sealed under her key, and in the clear."""

    contact: Contact
    marker: str


def write_about(world, key: str) -> Written:
    """A sealed contact note, a sealed MARAC action or disclosure, and clear free text naming her in every place the
    hub keeps some: the sender's reference, a status change's note, the hub's reason for an offer, a decline's detail,
    a professional judgement's reasons, and (on the sealed pathway) a disclosure's recipient and purpose."""
    referral, case = world.referrals[key], world.cases[key]
    survivor, marker = referral.survivor, world.marker(key)
    now = timezone.now()
    contact = Contact.objects.create(
        case=case, kind="phone", on=now.date(), minutes=20, recorded_at=now,
        note_sealed=survivor.seal_for({"note": f"Spoke to {marker} about the hearing"}),
    )  # fmt: skip
    referral.__class__.objects.filter(pk=referral.pk).update(agency_reference=f"CAD 4411 {marker}")
    ReferralEvent.objects.create(referral=referral, at=now, from_status="", to_status=Status.IN_TRIAGE, note=marker)
    Offer.objects.create(
        referral=referral, service=case.service, status="declined", offered_at=now, hub_reason=f"near {marker}",
        decline_reason="other", decline_detail=f"{marker} asked us not to call",
    )  # fmt: skip
    DashAssessment.objects.create(
        referral=referral, answers={}, score=3, professional_judgement=True, high_risk=True, marac_referral=True,
        professional_judgement_reason=f"{marker}'s sister was threatened", rules_version="t", assessed_at=now,
    )  # fmt: skip
    if key in world.maracs:
        MaracAction.objects.create(
            marac=world.maracs[key], owner="Police", due_on=now.date(), created_at=now,
            text_sealed=survivor.seal_for({"text": f"Flag {marker}'s address"}),
        )  # fmt: skip
    if case.sealed:
        Disclosure.objects.create(
            case=case, recipient=f"{marker}'s solicitor", purpose=f"{marker}'s claim", consent_given=True,
            consent_recorded_on=now.date(), disclosed_at=now, what_sealed=survivor.seal_for({"what": marker}),
        )  # fmt: skip
    return Written(contact=contact, marker=marker)
