"""Reads for the administration pages, each starting from the access policy (configuration only, never cases)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from carehub.accounts import policy
from carehub.accounts.models import ApiKey, Invitation, Membership, Organisation, User
from carehub.accounts.services import invitation_token_hash


def organisation_list(*, user) -> QuerySet[Organisation]:
    return (
        policy.organisations_administered_by(user)
        .annotate(member_count=Count("memberships", distinct=True), service_count=Count("services", distinct=True))
        .order_by("kind", "name")
    )


def organisation_by_slug(*, user, slug: str) -> Organisation | None:
    members = Membership.objects.select_related("user").order_by("user__username")
    return (
        policy.organisations_administered_by(user)
        .prefetch_related(Prefetch("memberships", queryset=members), "services")
        .filter(slug=slug)
        .first()
    )


def user_list(*, user) -> QuerySet[User]:
    memberships = Membership.objects.select_related("organisation").order_by("organisation__name", "role")
    return (
        policy.users_administered_by(user)
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by("username")
    )


def user_by_id(*, user, pk: int) -> User | None:
    return user_list(user=user).filter(pk=pk).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def membership_by_id(*, user, pk: int) -> Membership | None:
    return policy.memberships_administered_by(user).select_related("user", "organisation").filter(pk=pk).first()


def memberships_awaiting_decision(*, user) -> QuerySet[Membership]:
    """Pending roles in the independent service this user may confirm or refuse, oldest request first."""
    return (
        policy.memberships_awaiting_decision_by(user)
        .select_related("user", "organisation", "requested_by")
        .order_by("requested_at", "pk")
    )


def membership_awaiting_decision(*, user, pk: int) -> Membership | None:
    return memberships_awaiting_decision(user=user).filter(pk=pk).first()


def api_key_list(*, user) -> QuerySet[ApiKey]:
    """Most recently used first, keys never used after them (newest first): a key unused for months stands out."""
    return (
        policy.api_keys_administered_by(user)
        .select_related("organisation")
        .order_by(F("last_used_at").desc(nulls_last=True), "-created_at")
    )


def api_key_by_prefix(*, user, prefix: str) -> ApiKey | None:
    return policy.api_keys_administered_by(user).filter(prefix=prefix).first()


def invitation_for_token(token: str, *, now: dt.datetime | None = None) -> Invitation | None:
    """The invitation a link carries, if it is still unused and in date; None for every other case alike.

    Public by nature (the invitee is not signed in yet): the token itself is the credential.
    """
    return invitation_for_token_hash(invitation_token_hash(token), now=now)


def invitation_for_token_hash(token_hash: str, *, now: dt.datetime | None = None) -> Invitation | None:
    """As invitation_for_token, from the hash the invitation page keeps in the session (never the token itself: the
    session table is as much a copy of the database as any other)."""
    if not token_hash:
        return None
    now = now or timezone.now()
    return (
        Invitation.objects.select_related("user")
        .filter(token_hash=token_hash, used_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
