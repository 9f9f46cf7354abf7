"""Writes of the directory: services, by administrators; capacity and "taking referrals", by a service's managers.

Every write records its audit event with each changed field's old and new value, in the same transaction. Services
are saved with .save(), never a bulk .update(): routing keeps the directory in memory and learns of a change from
the save signal (referrals.directory_snapshot), so the very next referral is routed on the new values. Who may call
these is decided by the views, through accounts.policy.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from carehub.accounts.models import Organisation
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.directory.models import Service

# Every field an administrator sets, in the order the form shows them.
SERVICE_FIELDS = (
    "name",
    "service_type",
    "description",
    "specialisms",
    "languages",
    "covers_all_london",
    "boroughs",
    "min_age",
    "max_age",
    "accepts_women",
    "accepts_men",
    "accepts_nrpf",
    "capacity",
    "caseworker_fte",
    "current_wait_days",
    "accepting_referrals",
    "marac_linked",
    "address",
)
# A refuge's address is confidential (policy.service_address_visible): the trail says it changed, never what to.
_CONFIDENTIAL = {"address"}
_LISTS = {"specialisms", "languages", "boroughs"}


def _values(service: Service, fields) -> dict:
    return {name: list(getattr(service, name)) if name in _LISTS else getattr(service, name) for name in fields}


def _recorded(value):
    """The trail is JSON: a decimal (caseworker FTE) is kept as its text, "2.5", exactly as entered."""
    return str(value) if isinstance(value, Decimal) else value


def _changes(before: dict, after: dict) -> dict:
    changed = {}
    for name, new in after.items():
        old = before.get(name)
        if old != new:  # compared as numbers, so 3 and 3.0 caseworkers are no change
            changed[name] = ["(changed)", "(changed)"] if name in _CONFIDENTIAL else [_recorded(old), _recorded(new)]
    return changed


def _normalised(fields: dict) -> dict:
    """Lists sorted, so that the same choices made in another order are no change at all."""
    return {name: sorted(value) if name in _LISTS else value for name, value in fields.items()}


def service_create(*, actor, organisation: Organisation, **fields) -> Service:
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    service = Service(organisation=organisation, **_normalised(fields))
    service.full_clean()
    with transaction.atomic():
        service.save()
        changes = _changes({}, _values(service, SERVICE_FIELDS))
        audit.record(
            actor=actor,
            action=Action.CREATE,
            object_type="service",
            object_id=service.pk,
            changes={"organisation": [None, organisation.slug], **changes},
            event=EventType.SERVICE_CREATED,
        )
    return service


def _update(*, actor, service: Service, fields: dict) -> dict:
    before = _values(service, fields)
    for name, value in _normalised(fields).items():
        setattr(service, name, value)
    service.full_clean()
    changes = _changes(before, _values(service, fields))
    if not changes:
        return {}
    with transaction.atomic():
        service.save(update_fields=sorted(changes))
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="service",
            object_id=service.pk,
            changes=changes,
            event=EventType.SERVICE_CHANGED,
        )
    return changes


def service_update(*, actor, service: Service, **fields) -> dict:
    """An administrator's change to any of SERVICE_FIELDS; returns the changes recorded ({}: nothing changed)."""
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service fields: {sorted(unknown)}")
    return _update(actor=actor, service=service, fields=fields)


_KEEP = object()  # caseworker_fte not given: left as it is (None would mean "not recorded")


def service_capacity_update(
    *, actor, service: Service, capacity: int, accepting_referrals: bool, caseworker_fte: Decimal | None = _KEEP
) -> dict:
    """A service manager's change to her own service: how many open cases it can hold, its caseworkers as full-time
    equivalents (None: not recorded), and whether it takes referrals now. Returns the changes recorded."""
    fields = {"capacity": capacity, "accepting_referrals": accepting_referrals}
    if caseworker_fte is not _KEEP:
        fields["caseworker_fte"] = caseworker_fte
    return _update(actor=actor, service=service, fields=fields)
