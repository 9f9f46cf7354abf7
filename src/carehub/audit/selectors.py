from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from carehub.accounts import policy
from carehub.audit.models import AuditEvent


def search(
    *,
    user,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    survivor_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = policy.audit_events_visible_to(user)
    if actor:
        events = events.filter(actor_username=actor)
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if survivor_id:
        events = events.filter(survivor_id=survivor_id)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-seq")


def survivor_access(*, user, survivor_id: int) -> QuerySet[AuditEvent]:
    return policy.audit_events_visible_to(user).filter(survivor_id=survivor_id).order_by("-seq")
