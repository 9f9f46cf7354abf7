"""A caseworker asks, a manager confirms or refuses: closing a case that needs a manager (cases.closure).

A caseworker may not close a high-risk case, one with MARAC actions still open or one with goals never started. Her
close becomes a request, with the closure's coded reason, her closing measures and the caseworker's reason for
closing now; it is listed for the service's managers ("Closures to confirm"). A manager confirms it, with a reason
(the case then closes exactly as asked, by `services.case_close`, as the manager), or refuses it with a reason (the
case stays open and the caseworker sees why). Each step is one transaction with its audit event; the reasons are
sealed under her key and the trail records only that one was given.
"""

from __future__ import annotations

from dataclasses import asdict

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases import closure, services
from carehub.cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    ClosureRequest,
    ClosureRequestStatus,
    NotAnswered,
)
from carehub.cases.selectors import can_allocate, managed_organisations
from carehub.cases.services import CaseError, Measures


def pending_request(case: Case) -> ClosureRequest | None:
    return case.closure_requests.filter(status=ClosureRequestStatus.PENDING).first()


def last_refusal(case: Case) -> dict | None:
    """The latest refused closure, with the manager's reason, while the case is still open: the caseworker's answer."""
    return closure_state(case)[1]


def closure_state(case: Case) -> tuple[ClosureRequest | None, dict | None]:
    """(pending_request, last_refusal) from one read of the case's requests: a case has a handful, and its page shows
    both. A refusal is shown only while the case is open and no request has been made since it."""
    requests = list(case.closure_requests.select_related("decided_by"))  # in the order they were made
    pending = next((r for r in requests if r.status == ClosureRequestStatus.PENDING), None)
    refused = [r for r in requests if r.status == ClosureRequestStatus.REFUSED]
    if case.is_closed or not refused:
        return pending, None
    # Refusing sets decided_at, so the latest refusal is the greatest (decided_at, pk).
    latest = max(refused, key=lambda r: (r.decided_at, r.pk))
    if any(r.pk > latest.pk for r in requests):
        return pending, None
    reason = (case.survivor.unseal(latest.decision_note_sealed) or {}).get("reason", "Erased")
    return pending, {"at": latest.decided_at, "by": latest.decided_by, "reason": reason}


def closure_request(
    *, actor, case: Case, expected_version: int, reason: str, measures: Measures | None, note: str
) -> ClosureRequest:
    """Ask a manager to confirm closing a case that needs one. Refused when the case does not need a manager (the
    caseworker closes it herself), when one request already waits, or without a reason for closing now."""
    if reason not in ClosureReason.values:
        raise CaseError("Choose why the case is closing.", field="reason")
    if measures is None:
        raise CaseError(services.CLOSING_MEASURES_NEEDED, field="not_answered")
    note = note.strip()
    if not note:
        raise CaseError("Say why the case should close now: your manager reads it before confirming.", field="note")
    if services._current_status(actor, case) == CaseStatus.CLOSED:
        raise CaseError("This case is already closed.")
    concerns = closure.closure_concerns(case)
    if not concerns:
        raise CaseError("This case does not need a manager's confirmation: close it yourself.")
    try:
        with transaction.atomic():
            services._bump_version(case, expected_version)
            request = ClosureRequest.objects.create(
                case=case,
                reason=reason,
                measures=asdict(measures),
                concerns=concerns,
                note_sealed=case.survivor.seal_for({"reason": note}),
                requested_at=timezone.now(),
                requested_by=actor,
            )
            audit.record_for(
                actor,
                Action.UPDATE,
                case,
                changes={"closure_requested": request.public_id, "closure_reason": reason},
                event=EventType.CLOSURE_REQUESTED,
            )
    except IntegrityError:
        raise CaseError("A closure of this case is already waiting for a manager.") from None
    return request


def _decidable(actor, request: ClosureRequest) -> None:
    if not can_allocate(actor, request.case):
        raise CaseError("Only a manager of this service can confirm or refuse its closures.")
    if not request.is_pending:
        raise CaseError("This closure has already been decided.")


def closure_confirm(*, actor, request: ClosureRequest, note: str) -> None:
    """Close the case as the caseworker asked, the manager's reason recorded (sealed) as the confirmation."""
    _decidable(actor, request)
    if not note.strip():
        raise CaseError("Give your reason for confirming the closure.", field="note")
    case = request.case
    with transaction.atomic():
        if not ClosureRequest.objects.filter(pk=request.pk, status=ClosureRequestStatus.PENDING).update(
            status=ClosureRequestStatus.CONFIRMED,
            decided_at=timezone.now(),
            decided_by=actor,
            decision_note_sealed=case.survivor.seal_for({"reason": note.strip()}),
        ):
            raise CaseError("This closure has already been decided.")
        case.refresh_from_db()
        services.case_close(
            actor=actor,
            case=case,
            expected_version=case.version,
            reason=request.reason,
            measures=Measures(**request.measures),
            manager_reason=note,
        )
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={"closure_request": request.public_id, "decision": "confirmed"},
            event=EventType.CLOSURE_CONFIRMED,
        )


def closure_refuse(*, actor, request: ClosureRequest, note: str) -> None:
    """The case stays open; the caseworker reads the manager's reason on the case."""
    _decidable(actor, request)
    if not note.strip():
        raise CaseError("Say why the case should stay open.", field="note")
    case = request.case
    with transaction.atomic():
        if not ClosureRequest.objects.filter(pk=request.pk, status=ClosureRequestStatus.PENDING).update(
            status=ClosureRequestStatus.REFUSED,
            decided_at=timezone.now(),
            decided_by=actor,
            decision_note_sealed=case.survivor.seal_for({"reason": note.strip()}),
        ):
            raise CaseError("This closure has already been decided.")
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={"closure_request": request.public_id, "decision": "refused"},
            event=EventType.CLOSURE_REFUSED,
        )


def closures_to_confirm(user) -> QuerySet[ClosureRequest]:
    """Pending closure requests of the cases a manager's organisations hold, oldest first (read through the policy)."""
    managed = [org.pk for org in managed_organisations(user)]
    if not managed:
        return ClosureRequest.objects.none()
    cases = policy.cases_visible_to(user).filter(service__organisation_id__in=managed)
    return (
        ClosureRequest.objects.filter(status=ClosureRequestStatus.PENDING, case__in=cases)
        .select_related("case", "case__service", "case__referral", "requested_by")
        .order_by("requested_at", "pk")
    )


def request_summary(request: ClosureRequest) -> list[tuple[str, str]]:
    """What a manager reads before deciding, as rows of a summary list: the caseworker's reason unsealed here."""
    case = request.case
    note = (case.survivor.unseal(request.note_sealed) or {}).get("reason", "Erased")
    measures = Measures(**request.measures)
    answered = (
        "She answered the closing outcome questions."
        if not measures.not_answered
        else f"{NotAnswered(measures.not_answered).label}."
    )
    return [
        ("Asked by", f"{request.requested_by or 'A former caseworker'}, {request.requested_at:%-d %B %Y}"),
        ("Why the case is closing", ClosureReason(request.reason).label),
        ("Why a manager must confirm", " ".join(request.concerns)),
        ("The caseworker's reason for closing now", note),
        ("Closing outcome measures", answered),
    ]
