"""Builders for the hub-side repeat tests: referrals through real intake, at chosen dates, closed cases, and a hub
worker's decision that two of them are (or are not) the same woman."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone

from carehub.cases.models import Case, CaseStatus, ClosureReason
from carehub.people.models import Identity, Survivor
from carehub.referrals import services
from carehub.referrals.models import Channel, PolicePerpetrator, Referral, Status
from carehub.repeats.models import MatchDecision, Outcome
from carehub.repeats.services import match_decide
from tests import factories as f

# Dates of birth and postcodes unlike tests/world.py's survivors (all 17 May 1990, E1 6AN), so only ours match.
AMINA = Identity(
    given_name="Amina",
    family_name="Okonkwo",
    date_of_birth=dt.date(1987, 3, 14),
    phone="07700 900123",
    email="amina.o@example.org",
    address="Flat 2, 14 Mile End Road, London",
    postcode="E1 4NS",
)
# Amina again, written down by another agency: one typing slip in her family name, a new phone, a new address and
# postcode (she has fled), no email.
AMINA_MISSPELT = dataclasses.replace(
    AMINA, family_name="Okonkow", phone="07700 900999", email="", address="3 Cable Street, London", postcode="N16 7UJ"
)
# Somebody else who happens to share Amina's date of birth: a candidate, but not a likely match.
STRANGER = Identity(
    given_name="Grace",
    family_name="Whitfield",
    date_of_birth=dt.date(1987, 3, 14),
    phone="07700 900555",
    email="grace.w@example.net",
    address="40 Lordship Lane, London",
    postcode="SE22 8HJ",
)


def intake(identity: Identity, *, days_ago: float = 0, police: bool = False) -> Referral:
    """A self-referral through referral_create (so survivor_create stores her keys), received `days_ago` days ago."""
    details = services.ReferralDetails(
        perpetrator_police=PolicePerpetrator.SERVING if police else PolicePerpetrator.NO, needs=["idva"]
    )
    referral, _ = services.referral_create(
        actor=None,
        organisation=None,
        request=services.IntakeRequest(channel=Channel.SELF, identity=identity, details=details),
    )
    if days_ago:
        Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - dt.timedelta(days=days_ago))
        referral.refresh_from_db()
    return referral


def closed_case(world, referral: Referral, *, closed_days_ago: float, service: str = "solace") -> Case:
    """Her support at a service, ended `closed_days_ago` days ago after about three months."""
    closed = timezone.now() - dt.timedelta(days=closed_days_ago)
    Referral.objects.filter(pk=referral.pk).update(status=Status.CLOSED, routed_service=world.services[service])
    referral.refresh_from_db()
    return f.CaseFactory(
        referral=referral,
        service=world.services[service],
        status=CaseStatus.CLOSED,
        accepted_at=closed - dt.timedelta(days=100),
        opened_at=closed - dt.timedelta(days=90),
        closed_at=closed,
        closure_reason=ClosureReason.COMPLETED,
    )


def confirm(world, new: Referral, earlier: Referral, outcome: str = Outcome.CONFIRMED) -> MatchDecision:
    """Hana, the hub worker, decides on a suggested pair through match_decide (confirmed unless told otherwise)."""
    return match_decide(actor=world.users["hana"], referral=new, earlier=earlier, outcome=outcome)


def person_of(referral: Referral) -> int | None:
    """Survivor.person of her survivor record, fresh from the database."""
    return Survivor.objects.values_list("person_id", flat=True).get(pk=referral.survivor_id)
