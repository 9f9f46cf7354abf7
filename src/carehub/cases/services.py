"""Writes to cases: allocation and transfer, the support plan, contacts, documents, outcome measures, closure and
onward referral. Each is one transaction with its audit event.

Audit events are recorded against the case, whatever part of it changed, so every event carries her survivor id and
the case's sealed flag (an event about a sealed case is seen by the independent service's auditor alone). `changes`
holds ids, codes and numbers only: what she said never enters the audit trail.

Concurrency: allocation, transfer and closure name the case version they were based on; if someone else changed the
case meanwhile, the action is refused with ConcurrentChange and nothing is saved. The safety plan does the same with
its revision number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases import closure
from carehub.cases.models import (
    SCALES,
    Allocation,
    Case,
    CaseStatus,
    ClosureReason,
    Contact,
    ContactKind,
    Document,
    Goal,
    GoalStatus,
    MeasureStage,
    OnwardReferral,
    OutcomeMeasure,
    SafetyPlan,
    TransferReason,
)
from carehub.cases.selectors import eligible_caseworkers, managed_organisations
from carehub.core import services as core_services
from carehub.core.choices import ServiceType
from carehub.core.services import ServiceError, version_bump
from carehub.referrals import services as referral_services
from carehub.referrals.models import Offer, Referral


class CaseError(ServiceError):
    """A request that cannot be carried out, with a message a person understands and the field it concerns."""


class ConcurrentChange(CaseError, core_services.ConcurrentChange):
    """Someone else changed the case first; nothing was saved."""


# --- opening a case ---------------------------------------------------------------------------------------------


def case_open_from_offer(*, actor, offer: Offer) -> Case:
    """The service takes the referral it was offered: referrals accepts the offer, and her case opens on the
    service's waiting list, in one transaction. The one way a case opens outside the sealed pathway."""
    with transaction.atomic():
        offer = referral_services.offer_accept(actor=actor, offer=offer)
        case = _case_open(offer.referral, offer.service, offer.responded_at)
        audit.record_for(
            actor, Action.CREATE, case, changes={"accepted_offer": offer.public_id}, event=EventType.CASE_OPENED
        )
    return case


def case_open_sealed(*, referral: Referral, service) -> Case:
    """A sealed referral's case, opened on the independent advisory service's waiting list by the sealed pathway
    (independent.services.sealed_referral_route), inside the transaction that takes the referral in."""
    return _case_open(referral, service, referral.routed_at)


def _case_open(referral: Referral, service, accepted_at: dt.datetime) -> Case:
    return Case.objects.create(
        referral=referral,
        survivor=referral.survivor,
        service=service,
        status=CaseStatus.WAITING,
        sealed=referral.sealed,
        accepted_at=accepted_at,
    )


# --- guards ------------------------------------------------------------------------------------------------------


def _current_status(actor, case: Case) -> str:
    """The case's status now, read through the access policy: a service never acts on a case its actor cannot see."""
    status = policy.cases_visible_to(actor).filter(pk=case.pk).values_list("status", flat=True).first()
    if status is None:
        raise CaseError("This case is not one you can work on.")
    return status


def _require_open_for_work(actor, case: Case) -> None:
    if _current_status(actor, case) == CaseStatus.CLOSED:
        raise CaseError("This case is closed. Nothing has been changed.")


def _require_manager(actor, case: Case) -> None:
    """Only a service manager of the case's own organisation allocates and transfers.

    A user can be a manager in one organisation and a caseworker in another, so holding the role is not enough: it
    must be held where the case is. (A `policy.can_allocate(user, case)` would be the natural home for this rule.)
    """
    _current_status(actor, case)
    if not any(org.pk == case.service.organisation_id for org in managed_organisations(actor)):
        raise CaseError("Only a manager of this service can allocate or transfer its cases.")


def _validated(record) -> None:
    """full_clean, with a refusal a person can read instead of a ValidationError the view would not expect."""
    try:
        record.full_clean(validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise CaseError(messages[0], field="" if field_name == NON_FIELD_ERRORS else field_name) from None


def _bump_version(case: Case, expected_version: int, **changes) -> None:
    version_bump(case, expected_version, noun="case", conflict=ConcurrentChange, **changes)


def _require_eligible(case: Case, caseworker) -> None:
    if caseworker is None or not eligible_caseworkers(case).filter(user=caseworker).exists():
        raise CaseError("Choose a caseworker of this service.", field="caseworker")


# --- allocation and transfer -------------------------------------------------------------------------------------


def case_allocate(*, actor, case: Case, caseworker, expected_version: int) -> Allocation:
    """Give a waiting case to a caseworker of the same organisation: the case opens and her support begins."""
    _require_manager(actor, case)
    _require_eligible(case, caseworker)
    with transaction.atomic():
        _bump_version(case, expected_version)
        if case.status != CaseStatus.WAITING:
            raise ConcurrentChange("This case is no longer waiting: someone has already allocated or closed it.")
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.OPEN, caseworker=caseworker, opened_at=now)
        case.refresh_from_db()
        allocation = Allocation(case=case, to_caseworker=caseworker, at=now, by=actor)
        _validated(allocation)
        allocation.save()
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={"status": [CaseStatus.WAITING, CaseStatus.OPEN], "caseworker": [None, caseworker.pk]},
            event=EventType.CASE_ALLOCATED,
        )
    return allocation


def case_transfer(*, actor, case: Case, caseworker, expected_version: int, reason: str) -> Allocation:
    """Move an open case to another caseworker; the earlier allocation stays in the history."""
    _require_manager(actor, case)
    _require_eligible(case, caseworker)
    if reason not in TransferReason.values:
        raise CaseError("Choose why the case is moving.", field="reason")
    with transaction.atomic():
        _bump_version(case, expected_version)
        if case.status != CaseStatus.OPEN:
            raise CaseError("Only an open case can be transferred.")
        previous = case.caseworker
        if previous == caseworker:
            raise CaseError("The case is already with this caseworker.", field="caseworker")
        Case.objects.filter(pk=case.pk).update(caseworker=caseworker)
        case.refresh_from_db()
        allocation = Allocation(
            case=case, from_caseworker=previous, to_caseworker=caseworker, reason=reason, at=timezone.now(), by=actor
        )
        _validated(allocation)
        allocation.save()
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={"caseworker": [previous.pk if previous else None, caseworker.pk], "transfer_reason": reason},
            event=EventType.CASE_TRANSFERRED,
        )
    return allocation


# --- support plan and safety plan --------------------------------------------------------------------------------


def _required_text(value: str, message: str, field_name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(message, field=field_name)
    return value


def goal_create(*, actor, case: Case, text: str) -> Goal:
    text = _required_text(text, "Describe the goal.", "text")
    _require_open_for_work(actor, case)
    with transaction.atomic():
        now = timezone.now()
        goal = Goal(
            case=case,
            text_sealed=case.survivor.seal_for({"text": text}),
            created_at=now,
            updated_at=now,
            created_by=actor,
        )
        _validated(goal)
        goal.save()
        audit.record_for(actor, Action.UPDATE, case, changes={"goal_added": goal.public_id}, event=EventType.GOAL_ADDED)
    return goal


def goal_update(*, actor, goal: Goal, status: str) -> Goal:
    if status not in GoalStatus.values:
        raise CaseError("Choose where the goal has got to.", field="status")
    _require_open_for_work(actor, goal.case)
    with transaction.atomic():
        old = goal.status
        goal.status = status
        goal.updated_at = timezone.now()
        _validated(goal)
        goal.save(update_fields=["status", "updated_at"])
        audit.record_for(
            actor,
            Action.UPDATE,
            goal.case,
            changes={"goal": goal.public_id, "status": [old, status]},
            event=EventType.GOAL_STATUS_CHANGED,
        )
    return goal


def safety_plan_update(*, actor, case: Case, expected_revision: int, plan: str) -> SafetyPlan:
    """Record a new revision of her safety plan; refused if someone else saved one since `expected_revision`."""
    plan = _required_text(plan, "Write the safety plan.", "plan")
    _require_open_for_work(actor, case)
    stale = ConcurrentChange(
        "Someone else updated the safety plan while you were writing. Your text has not been saved: "
        "read the plan as it is now and add your changes to it."
    )
    try:
        with transaction.atomic():
            latest = SafetyPlan.objects.filter(case=case).aggregate(n=Max("revision"))["n"] or 0
            if latest != expected_revision:
                raise stale
            revision = SafetyPlan(
                case=case,
                revision=latest + 1,
                plan_sealed=case.survivor.seal_for({"plan": plan}),
                recorded_at=timezone.now(),
                recorded_by=actor,
            )
            _validated(revision)
            revision.save()
            audit.record_for(
                actor,
                Action.UPDATE,
                case,
                changes={"safety_plan_revision": revision.revision},
                event=EventType.SAFETY_PLAN_REVISED,
            )
    except IntegrityError:
        # Two saves raced past the check: the unique revision number let only one of them in.
        raise stale from None
    return revision


# --- contacts and documents --------------------------------------------------------------------------------------


# The contact kinds that are ways of reaching her, and her safe-contact answer each one is checked against.
SAFE_CONTACT_CODE = {
    ContactKind.CALL: "phone",
    ContactKind.TEXT: "text",
    ContactKind.EMAIL: "email",
    ContactKind.VOICEMAIL: "voicemail",
}


def _unsafe_kinds(actor, case: Case) -> frozenset[str]:
    """The contact kinds she said are not safe, read (and the read audited) through the policy's safe-contact view.

    Empty when nothing was recorded or the actor's view does not reach her contact details."""
    return unsafe_kinds_in(policy.safe_contact_for(actor, case.referral, policy.person_view_for(actor, case.referral)))


def unsafe_kinds_in(safe_contact: policy.SafeContactView | None) -> frozenset[str]:
    """The kinds she ruled out by naming others as safe. Naming none rules none out: she told us nothing to heed
    (the panel says so, and tells the worker to ask the hub)."""
    if safe_contact is None or not safe_contact.safe_methods:
        return frozenset()
    return frozenset(kind for kind, code in SAFE_CONTACT_CODE.items() if code in safe_contact.unsafe_codes)


def unsafe_kind_labels(safe_contact: policy.SafeContactView | None) -> list[str]:
    """The contact form's words for the ways she said are not safe, in the form's order."""
    unsafe = unsafe_kinds_in(safe_contact)
    return [label for kind, label in ContactKind.choices if kind in unsafe]


def contact_create(
    *, actor, case: Case, kind: str, on: dt.date, minutes: int, note: str = "", unsafe_reason: str = ""
) -> Contact:
    """Log a contact. A way she said is not safe needs a reason: the contact is flagged, the reason sealed, and the
    audit event says an unsafe method was used (never why, which may name people)."""
    if on > timezone.localdate():
        raise CaseError("The date of the contact must be today or in the past.", field="on")
    _require_open_for_work(actor, case)
    unsafe = kind in _unsafe_kinds(actor, case)
    unsafe_reason = unsafe_reason.strip()
    if unsafe and not unsafe_reason:
        raise CaseError(
            f"She said {ContactKind(kind).label.lower()} is not a safe way to contact her. "
            "Say why this contact was made this way.",
            field="unsafe_reason",
        )
    with transaction.atomic():
        contact = Contact(
            case=case,
            kind=kind,
            on=on,
            minutes=minutes,
            note_sealed=case.survivor.seal_for({"note": note.strip()}) if note.strip() else None,
            unsafe_method=unsafe,
            unsafe_reason_sealed=case.survivor.seal_for({"reason": unsafe_reason}) if unsafe else None,
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        _validated(contact)
        contact.save()
        # No row key in the trail: contacts and documents share their keys' sequence with sealed cases.
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={
                "contact_added": True,
                "kind": kind,
                "minutes": minutes,
                **({"unsafe_method": True} if unsafe else {}),
            },
            event=EventType.CONTACT_ADDED,
        )
    return contact


def document_create(
    *, actor, case: Case, title: str, kind: str, held_at: str, dated: dt.date | None = None
) -> Document:
    """Note a document without storing it: what it is and where the original or copy is kept."""
    title = _required_text(title, "Give the document a title.", "title")
    held_at = _required_text(held_at, "Say where the document is held.", "held_at")
    _require_open_for_work(actor, case)
    with transaction.atomic():
        document = Document(
            case=case,
            kind=kind,
            dated=dated,
            details_sealed=case.survivor.seal_for({"title": title, "held_at": held_at}),
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        _validated(document)
        document.save()
        audit.record_for(
            actor, Action.UPDATE, case, changes={"document_added": True, "kind": kind}, event=EventType.DOCUMENT_ADDED
        )
    return document


# --- outcome measures and closure --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """Her answers to the outcome questions, or why there are none (`not_answered`)."""

    not_answered: str = ""
    abuse: dict[str, str] = field(default_factory=dict)
    feels_safe: int | None = None
    wellbeing: int | None = None
    quality_of_life: int | None = None
    confidence_help: int | None = None


def _measure(*, actor, case: Case, stage: str, measures: Measures) -> OutcomeMeasure:
    measure = OutcomeMeasure(
        case=case,
        stage=stage,
        not_answered=measures.not_answered,
        abuse=dict(measures.abuse),
        recorded_at=timezone.now(),
        recorded_by=actor,
        **{name: getattr(measures, name) for name in SCALES},
    )
    _validated(measure)
    measure.save()
    return measure


def _measure_changes(measure: OutcomeMeasure) -> dict:
    """The audit's record of a measure: whether she answered, never the scores themselves."""
    return {"outcome": measure.stage, "answered": measure.answered, "not_answered": measure.not_answered}


def outcome_record_start(*, actor, case: Case, measures: Measures) -> OutcomeMeasure:
    """Her starting measures. Recorded once: the start cannot be moved once support is under way."""
    _require_open_for_work(actor, case)
    if case.outcomes.filter(stage=MeasureStage.START).exists():
        raise CaseError("Her starting measures are already recorded.")
    try:
        with transaction.atomic():
            measure = _measure(actor=actor, case=case, stage=MeasureStage.START, measures=measures)
            audit.record_for(
                actor, Action.UPDATE, case, changes=_measure_changes(measure), event=EventType.OUTCOME_MEASURED
            )
    except IntegrityError:
        raise CaseError("Her starting measures are already recorded.") from None
    return measure


CLOSING_MEASURES_NEEDED = (
    "Record her closing outcome measures before closing the case, or, if she did not answer, say so: "
    "without them nobody can tell what the support changed."
)


def case_close(
    *, actor, case: Case, expected_version: int, reason: str, measures: Measures | None, manager_reason: str = ""
) -> OutcomeMeasure:
    """Close the case with a reason and her closing outcome measures (or an explicit "she did not answer").

    A high-risk case, or one with open MARAC actions or unstarted goals, needs a manager's confirmation with a reason
    (cases.closure).
    """
    if reason not in ClosureReason.values:
        raise CaseError("Choose why the case is closing.", field="reason")
    if measures is None:
        raise CaseError(CLOSING_MEASURES_NEEDED, field="not_answered")
    already_closed = ConcurrentChange("This case has already been closed. Nothing you entered has been saved.")
    if _current_status(actor, case) == CaseStatus.CLOSED:
        raise already_closed
    with transaction.atomic():
        _bump_version(case, expected_version)
        if case.status == CaseStatus.CLOSED:
            raise already_closed
        old_status = case.status
        confirmed = closure.confirm_closure(actor=actor, case=case, manager_reason=manager_reason)
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=now, closure_reason=reason)
        case.refresh_from_db()
        measure = _measure(actor=actor, case=case, stage=MeasureStage.CLOSURE, measures=measures)
        referral_services.referral_close_with_case(actor=actor, referral=case.referral, service=case.service, at=now)
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={
                "status": [old_status, CaseStatus.CLOSED],
                "closure_reason": reason,
                **({"confirmed_by_manager": True} if confirmed else {}),
                **_measure_changes(measure),
            },
            event=EventType.CASE_CLOSED,
        )
    return measure


# --- onward referral ---------------------------------------------------------------------------------------------

ROUTABLE_SERVICE_TYPES = [v for v in ServiceType.values if v != ServiceType.INDEPENDENT_ADVISORY]


def onward_referral_create(*, actor, case: Case, needs: Sequence[str], note: str = "", consent: bool) -> OnwardReferral:
    """Refer her on through the hub: a new referral of the same survivor, linked to this case (see OnwardReferral).

    The hub triages and routes it like any other; what she told this service about herself travels with it, her
    risk is assessed afresh. Sealed cases are refused: a referral from the independent advisory service would tell
    the hub that she reported a police officer or member of staff.
    """
    if case.sealed:
        raise CaseError(
            "Cases on the sealed pathway cannot be referred on through the hub: the hub would learn that she is on "
            "it. Refer her directly, with her consent."
        )
    if not consent:
        raise CaseError("She must agree to being referred on before you send the referral.", field="consent")
    needs = [n for n in needs if n in ROUTABLE_SERVICE_TYPES]
    if not needs:
        raise CaseError("Choose the support she needs next.", field="needs")
    _require_open_for_work(actor, case)
    with transaction.atomic():
        referral = referral_services.referral_create_onward(
            actor=actor,
            earlier=case.referral,
            organisation=case.service.organisation,
            referrer={
                "name": actor.full_name or actor.get_username(),
                "role": f"Caseworker, {case.service.name}",
                "phone": "",
                "email": actor.email,
            },
            needs=needs,
            note=f"onward referral from {case.service.name}",
        )
        link = OnwardReferral(
            from_case=case,
            referral=referral,
            note_sealed=case.survivor.seal_for({"note": note.strip()}) if note.strip() else None,
            created_at=referral.received_at,
            created_by=actor,
        )
        _validated(link)
        link.save()
        audit.record_for(
            actor, Action.UPDATE, case, changes={"referred_on": referral.reference}, event=EventType.REFERRED_ON
        )
    return link
