"""Writes for her rights: subject access requests from receipt to release, and erasure requests from receipt to
crypto-shredding. Each service takes the decision the access policy already made (the caller fetched the survivor or
the request through it) and writes its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import json

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from carehub.accounts.models import Organisation
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.core.services import ServiceError
from carehub.people.models import Survivor
from carehub.retention import services as retention_services
from carehub.rights import pack as packs
from carehub.rights.models import (
    APPROVING_GROUNDS,
    MAX_EXTENSION_MONTHS,
    AccessStatus,
    ErasureGround,
    ErasureRequest,
    ErasureStatus,
    SubjectAccessRequest,
)

# One calendar month (UK GDPR art. 12(3)): 31 January is due on 28 (or 29) February, as relativedelta counts it.
RESPONSE_MONTHS = 1


def due_on(received_on: dt.date, extension_months: int = 0) -> dt.date:
    """When the answer is due: one calendar month after receipt, plus the months of any extension.

    Counted from receipt in one step, never month on month: received 31 January and extended by two months is due on
    30 April, where adding a month (28 February) then two more would give 28 April.
    """
    return received_on + relativedelta(months=RESPONSE_MONTHS + extension_months)


def _is_sealed(survivor: Survivor) -> bool:
    return survivor.referrals.filter(sealed=True).exists()


def _check_received(received_on: dt.date) -> None:
    if received_on > timezone.localdate():
        raise ServiceError("The date received cannot be in the future.", field="received_on")


# --- subject access ----------------------------------------------------------------------------------------------


def subject_access_open(
    *, actor, survivor: Survivor, organisation: Organisation, received_on: dt.date, redact_staff_names: bool = False
) -> SubjectAccessRequest:
    """Record her request, received on `received_on`, for what `organisation` holds about her; due in one month."""
    _check_received(received_on)
    if survivor.is_erased:
        raise ServiceError("Her identity has been erased: there are no records of her to give.")
    request = SubjectAccessRequest(
        survivor=survivor,
        organisation=organisation,
        sealed=_is_sealed(survivor),
        received_on=received_on,
        due_on=due_on(received_on),
        redact_staff_names=redact_staff_names,
        opened_at=timezone.now(),
        opened_by=actor,
    )
    request.full_clean(exclude=["survivor", "organisation", "opened_by"])
    with transaction.atomic():
        request.save()
        audit.record_for(
            actor,
            Action.CREATE,
            request,
            changes={"received_on": received_on.isoformat(), "due_on": request.due_on.isoformat()},
            event=EventType.SUBJECT_ACCESS_OPENED,
        )
    return request


def _still_open(request: SubjectAccessRequest) -> None:
    if request.is_released:
        raise ServiceError("This request has been answered: its pack was released and can no longer change.")


def subject_access_extend(*, actor, request: SubjectAccessRequest, months: int, reason: str) -> SubjectAccessRequest:
    """Extend the time to answer to `months` further months in all (at most two), for a complex request."""
    _still_open(request)
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ServiceError("An extension is of one or two further months.", field="months")
    if months <= request.extension_months:
        raise ServiceError("An extension can only make the time longer.", field="months")
    if not reason.strip():
        raise ServiceError("Say why the request needs longer.", field="reason")
    with transaction.atomic():
        request.extension_months = months
        request.due_on = due_on(request.received_on, months)
        request.extension_reason_sealed = request.survivor.seal_for({"reason": reason.strip()})
        request.save(update_fields=["extension_months", "due_on", "extension_reason_sealed"])
        audit.record_for(
            actor,
            Action.UPDATE,
            request,
            changes={"extension_months": months, "due_on": request.due_on.isoformat()},
            event=EventType.SUBJECT_ACCESS_EXTENDED,
        )
    return request


def redactions_of(request: SubjectAccessRequest) -> packs.Redactions:
    """The request's redactions as they stand: the organisation's choice on staff names and the reviewer's marks."""
    payload = (request.survivor.unseal(request.redactions_sealed) or {}) if request.redactions_sealed else {}
    return packs.Redactions.from_payload(payload, staff_names=request.redact_staff_names)


def subject_access_review(
    *,
    actor,
    request: SubjectAccessRequest,
    passages: list[str],
    withheld: list[str],
    redact_staff_names: bool,
) -> SubjectAccessRequest:
    """The reviewer's marks: passages of text to take out wherever they occur, items to withhold whole, and the
    organisation's choice on its staff's names. Sealed under her key; the audit trail gets counts only."""
    _still_open(request)
    passages = [p.strip() for p in passages if p.strip()]
    short = [p for p in passages if len(p) < packs.MIN_NAME_LENGTH]
    if short:
        raise ServiceError(
            f"A passage to redact must be at least {packs.MIN_NAME_LENGTH} characters long.", field="passages"
        )
    with transaction.atomic():
        request.redactions_sealed = request.survivor.seal_for({"passages": passages, "withheld": sorted(set(withheld))})
        request.redact_staff_names = redact_staff_names
        request.reviewed_at = timezone.now()
        request.reviewed_by = actor
        request.save(update_fields=["redactions_sealed", "redact_staff_names", "reviewed_at", "reviewed_by"])
        audit.record_for(
            actor,
            Action.UPDATE,
            request,
            changes={
                "passages": len(passages),
                "withheld_items": len(set(withheld)),
                "redact_staff_names": redact_staff_names,
            },
            event=EventType.SUBJECT_ACCESS_REVIEWED,
        )
    return request


def subject_access_preview(request: SubjectAccessRequest) -> dict:
    """The pack as it would be released now, for the reviewer (a read: the page that shows it is audited)."""
    return packs.redact(packs.build(request), redactions_of(request))


def subject_access_release(*, actor, request: SubjectAccessRequest) -> SubjectAccessRequest:
    """Release the pack: built from her records now, redacted, and kept sealed under her key as released."""
    _still_open(request)
    if request.reviewed_at is None:
        raise ServiceError("A reviewer must look over the pack for other people's information before it is released.")
    if request.survivor.is_erased:
        raise ServiceError("Her identity has been erased: there is no pack to release.")
    redacted = subject_access_preview(request)
    with transaction.atomic():
        request.pack_sealed = request.survivor.seal_for({"pack": redacted})
        request.status = AccessStatus.RELEASED
        request.released_at = timezone.now()
        request.released_by = actor
        request.save(update_fields=["pack_sealed", "status", "released_at", "released_by"])
        audit.record_for(
            actor,
            Action.EXPORT,
            request,
            changes={
                "items": sum(len(s["items"]) for s in redacted["sections"]),
                "withheld_items": sum(1 for s in redacted["sections"] for i in s["items"] if i.get("withheld")),
                "on_time": request.released_at.date() <= request.due_on,
            },
            event=EventType.SUBJECT_ACCESS_RELEASED,
        )
    return request


DOWNLOAD_FORMATS = {"html": "text/html; charset=utf-8", "json": "application/json"}


def subject_access_download(*, actor, request: SubjectAccessRequest, kind: str) -> bytes:
    """The released pack, as HTML or JSON; refused for a pack not released (or erased since). Audited."""
    if kind not in DOWNLOAD_FORMATS:
        raise ServiceError("The pack comes as HTML or JSON.")
    if not request.is_released or not request.pack_sealed:
        raise ServiceError("Only a released pack can be downloaded.")
    payload = request.survivor.unseal(request.pack_sealed)
    if not payload:
        raise ServiceError("Her records have been erased: the pack no longer exists.")
    released = payload["pack"]
    body = packs.render_html(released) if kind == "html" else json.dumps(released, indent=2, ensure_ascii=False)
    audit.record_for(actor, Action.EXPORT, request, changes={"format": kind}, event=EventType.SUBJECT_ACCESS_DOWNLOADED)
    return body.encode()


# --- erasure on request ------------------------------------------------------------------------------------------


def legal_hold_stops_erasure(survivor: Survivor) -> bool:
    """Whether a legal hold on her stops erasure now (the retention app keeps the holds): the one place erasure on
    request asks, before anything is written."""
    return retention_services.on_legal_hold(survivor)


def erasure_request(*, actor, survivor: Survivor, organisation: Organisation, received_on: dt.date) -> ErasureRequest:
    """Record her request to be erased, for a manager's decision."""
    _check_received(received_on)
    if survivor.is_erased:
        raise ServiceError("Her identity has already been erased.")
    if ErasureRequest.objects.filter(
        survivor=survivor, status__in=[ErasureStatus.PENDING, ErasureStatus.APPROVED]
    ).exists():
        raise ServiceError("An erasure request for her is already waiting.")
    request = ErasureRequest(
        survivor=survivor,
        organisation=organisation,
        sealed=_is_sealed(survivor),
        received_on=received_on,
        requested_at=timezone.now(),
        requested_by=actor,
    )
    with transaction.atomic():
        request.save()
        audit.record_for(
            actor,
            Action.CREATE,
            request,
            changes={"received_on": received_on.isoformat()},
            event=EventType.ERASURE_REQUESTED,
        )
    return request


def erasure_decide(
    *, actor, request: ErasureRequest, approve: bool, ground: str, explanation: str = ""
) -> ErasureRequest:
    """Approve or refuse, on a coded ground (refusing when records must be kept, e.g. to safeguard her or children).

    Four eyes: the manager who recorded the request cannot decide it (erasure cannot be undone, so no one person
    both takes a request down and approves it). The ground goes on the audit trail; the decider's own words, if any,
    are sealed under her key.
    """
    if request.status != ErasureStatus.PENDING:
        raise ServiceError("This request has already been decided.")
    if request.requested_by_id is not None and request.requested_by_id == getattr(actor, "pk", None):
        raise ServiceError(
            "You recorded this request, so another manager must decide it: an erasure needs two people, one to "
            "record the request and another to decide it."
        )
    if ground not in ErasureGround.values:
        raise ServiceError("Choose the ground for the decision.", field="ground")
    if (ground in APPROVING_GROUNDS) != approve:
        raise ServiceError(
            "That ground is for " + ("refusing" if approve else "approving") + " an erasure.", field="ground"
        )
    with transaction.atomic():
        request.status = ErasureStatus.APPROVED if approve else ErasureStatus.REFUSED
        request.ground = ground
        if explanation.strip():
            request.explanation_sealed = request.survivor.seal_for({"explanation": explanation.strip()})
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.save(update_fields=["status", "ground", "explanation_sealed", "decided_at", "decided_by"])
        audit.record_for(
            actor,
            Action.UPDATE,
            request,
            changes={"decision": "approved" if approve else "refused", "ground": ground},
            event=EventType.ERASURE_DECIDED,
        )
    return request


def erasure_carry_out(*, actor, request: ErasureRequest) -> ErasureRequest:
    """Crypto-shred her, as approved, exactly as retention does (retention.services.shred): her data key is
    destroyed, so her identity, every sealed note and every released subject access pack become unreadable at once,
    and clear free text that could name her is blanked; the statistical rows stay. A legal hold stops it (checked
    here, and again by shred under its own transaction). The key table's old row versions go at the next retention
    run's vacuum, which a PostgreSQL key table needs (people.services.data_keys_vacuum)."""
    if request.status != ErasureStatus.APPROVED:
        raise ServiceError("Only an approved erasure can be carried out.")
    if legal_hold_stops_erasure(request.survivor):
        raise ServiceError("A legal hold on her records stops erasure until it is lifted.")
    with transaction.atomic():
        erased = retention_services.shred(
            actor=actor,
            survivor_ids=[request.survivor_id],
            sealed_ids={request.survivor_id} if request.sealed else set(),
            reason=f"erasure on request: {request.get_ground_display()}",
        )
        if not erased:  # a hold placed between the check above and shred's own
            raise ServiceError("A legal hold on her records stops erasure until it is lifted.")
        request.status = ErasureStatus.CARRIED_OUT
        request.carried_out_at = timezone.now()
        request.carried_out_by = actor
        request.save(update_fields=["status", "carried_out_at", "carried_out_by"])
        audit.record_for(actor, Action.ERASE, request, event=EventType.ERASURE_CARRIED_OUT)
    return request
