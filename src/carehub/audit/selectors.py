"""The auditor's reads of the trail, always through the policy: the hub's chain, or the sealed one."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from carehub.accounts import policy
from carehub.audit.models import ChainedEvent
from carehub.core import public_ids


def events_visible_to(user, *, sealed: bool) -> QuerySet[ChainedEvent]:
    if sealed:
        return policy.sealed_audit_events_visible_to(user)
    return policy.audit_events_visible_to(user)


def search(
    *,
    user,
    sealed: bool = False,
    actor: str = "",
    action: str = "",
    event_type: str = "",
    object_type: str = "",
    object_id: str = "",
    survivor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[ChainedEvent]:
    events = events_visible_to(user, sealed=sealed)
    if actor:
        events = events.filter(actor_username=actor)
    if action:
        events = events.filter(action=action)
    if event_type:
        events = events.filter(event_type=event_type)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        # As stored (a referral's reference) or as a public identifier is read out (grouped, any case).
        events = events.filter(Q(object_id=object_id) | Q(object_id=public_ids.normalise(object_id)))
    if survivor:
        events = policy.audit_events_about_survivor(events, survivor)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-seq")


def survivor_access(*, user, public_id: str, sealed: bool = False) -> QuerySet[ChainedEvent]:
    return policy.audit_events_about_survivor(events_visible_to(user, sealed=sealed), public_id).order_by("-seq")
