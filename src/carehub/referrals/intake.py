"""Turning validated input from any channel into an IntakeRequest for referral_create."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from carehub.accounts.models import Organisation
from carehub.people.models import Identity
from carehub.referrals.intake_schema import ReferralIn
from carehub.referrals.models import Channel
from carehub.referrals.services import (
    IntakeRequest,
    ReferralDetails,
    ReferralError,
    Referrer,
    SafeContact,
    SharingConsent,
)


def age_on(date_of_birth: dt.date | None, today: dt.date | None = None) -> int | None:
    if date_of_birth is None:
        return None
    today = today or timezone.localdate()
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


def _value(choice) -> str:
    return "" if choice is None else str(getattr(choice, "value", choice))


def from_api(payload: ReferralIn) -> IntakeRequest:
    """An API body as an intake request; an unknown sharing recipient is refused, named by its place."""
    slugs = [s.organisation for s in payload.consent.share_with]
    known = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)} if slugs else {}
    unknown = [i for i, slug in enumerate(slugs) if slug not in known]
    if unknown:
        # Named by position, not by the slug sent: an error never quotes the request back.
        raise ReferralError(
            "is not an organisation Care Hub knows", field=f"consent.share_with.{unknown[0]}.organisation"
        )
    person = payload.survivor
    return IntakeRequest(
        channel=Channel.API,
        identity=Identity(
            given_name=person.given_name,
            family_name=person.family_name,
            known_as=person.known_as,
            date_of_birth=person.date_of_birth,
            phone=person.phone,
            email=person.email,
            address=person.address,
            postcode=person.postcode,
        ),
        details=ReferralDetails(
            borough=payload.borough,
            age=age_on(person.date_of_birth),
            abuse_types=[_value(a) for a in payload.abuse_types],
            needs=[_value(n) for n in payload.needs],
            wants_by_and_for=_value(payload.wants_by_and_for),
            language=_value(payload.language),
            interpreter_needed=payload.interpreter_needed,
            has_nrpf=payload.has_nrpf,
            worker_gender=_value(payload.worker_gender),
            perpetrator_relationship=_value(payload.perpetrator_relationship),
            perpetrator_police=_value(payload.perpetrator_police),
            agency_reference=payload.agency_reference,
            summary=payload.summary,
            children_count=payload.children.count if payload.children else None,
            children_ages=payload.children.ages if payload.children else "",
            childrens_services_aware=_value(payload.children.childrens_services_aware) if payload.children else "",
        ),
        contact=SafeContact(**payload.safe_contact.model_dump()),
        equality=payload.equality.as_fields(),
        referrer=Referrer(**payload.referrer.model_dump()),
        consent_to_referral=payload.consent.referral,
        sharing=[SharingConsent(known[s.organisation], s.expires_on) for s in payload.consent.share_with]
        + [
            SharingConsent(expires_on=payload.consent.share_with_kinds_expire_on, recipient_kind=_value(kind))
            for kind in payload.consent.share_with_kinds
        ],
    )
