"""Reads for the rights pages, every one starting from the access policy."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.models import Organisation
from carehub.core import public_ids
from carehub.people.models import Survivor
from carehub.rights.models import AccessStatus, ErasureRequest, ErasureStatus, SubjectAccessRequest


def open_access_requests(*, user) -> list[SubjectAccessRequest]:
    """Requests still being prepared, soonest due first: what the organisation must answer next."""
    return list(
        policy.subject_access_requests_visible_to(user)
        .filter(status=AccessStatus.OPEN)
        .select_related("organisation")
        .order_by("due_on", "public_id")
    )


def waiting_erasure_requests(*, user) -> list[ErasureRequest]:
    return list(
        policy.erasure_requests_visible_to(user)
        .filter(status__in=[ErasureStatus.PENDING, ErasureStatus.APPROVED])
        .select_related("organisation")
        .order_by("requested_at", "public_id")
    )


def find_survivor(*, user, organisation: Organisation, typed: str) -> Survivor | None:
    """Her record from a referral reference or her record number, within what the policy lets this user answer for;
    None alike for no such record and for one outside scope (a sealed survivor, another service's)."""
    survivors = policy.survivors_for_rights(user, organisation)
    typed = typed.strip().upper()
    if typed.startswith("CH-"):
        return survivors.filter(referrals__reference=typed).first()
    parsed = public_ids.parse(typed)
    return survivors.filter(public_id=parsed).first() if parsed else None


@dataclass(frozen=True)
class HerRequests:
    access: list[SubjectAccessRequest]
    erasure: list[ErasureRequest]


def requests_about(*, user, survivor: Survivor) -> HerRequests:
    return HerRequests(
        access=list(policy.subject_access_requests_visible_to(user).filter(survivor=survivor).order_by("-opened_at")),
        erasure=list(policy.erasure_requests_visible_to(user).filter(survivor=survivor).order_by("-requested_at")),
    )


def days_left(due_on) -> int:
    return (due_on - timezone.localdate()).days


def organisation_for(user, slug: str | None) -> Organisation:
    return policy.rights_organisation_for(user, slug)


def her_record(user, public_id: str, slug: str | None) -> tuple[Organisation, Survivor]:
    """The organisation answering (the one named, or the first of the user's that holds her records) and her
    record; 404 when none of them does, as for a record that does not exist."""
    organisations = [policy.rights_organisation_for(user, slug)] if slug else policy.rights_organisations(user)
    for organisation in organisations:
        try:
            return organisation, policy.get_survivor_for_rights(user, public_id, organisation)
        except Http404:
            continue
    raise Http404
