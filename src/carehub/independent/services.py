"""The sealed pathway, and writes to the independent advisory service's records (its own sealed cases only).

`sealed_referral_route` is the pathway itself: a referral naming a police officer or member of staff goes straight to
the independent advisory service. Referral intake calls it inside its transaction (referrals.services.route_sealed_with,
set by this app's ready(): referrals sits below independent and must not import it); it asks referrals to accept the
referral onto the service and cases to open her case, each app writing its own tables.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases import services as case_services
from carehub.cases.models import Case
from carehub.core.choices import ServiceType
from carehub.core.services import ServiceError
from carehub.directory.models import Service
from carehub.independent.models import Complaint, ComplaintOutcome, Decision, Disclosure
from carehub.referrals import services as referral_services
from carehub.referrals.models import Referral


def _independent_advisory_service() -> Service | None:
    """The service sealed referrals go to: the first independent advisory service accepting referrals."""
    return (
        Service.objects.filter(service_type=ServiceType.INDEPENDENT_ADVISORY, accepting_referrals=True)
        .order_by("pk")
        .first()
    )


def sealed_referral_route(referral: Referral, actor) -> None:
    """The sealed pathway: straight to the independent advisory service's waiting list, seen by nobody else.

    Without such a service the referral stays sealed and unrouted: visible to independent advisers, never to the hub.
    """
    service = _independent_advisory_service()
    if service is None:
        return
    referral_services.referral_route_sealed(referral=referral, service=service)
    case_services.case_open_sealed(referral=referral, service=service)


class IndependentError(ServiceError):
    """A refusal of the independent advisory service's records."""


def _sealed_only(case: Case) -> None:
    if not case.sealed:
        raise IndependentError("These records belong to the independent advisory service's own cases only.")


def decision_record(*, actor, case: Case, decision: str, decided_on: dt.date) -> Decision:
    _sealed_only(case)
    with transaction.atomic():
        made = Decision(
            case=case, decision=decision, decided_on=decided_on, recorded_by=actor, recorded_at=timezone.now()
        )
        made.full_clean()
        made.save()
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={"reporting_decision": decision},
            event=EventType.REPORTING_DECISION_RECORDED,
        )
    return made


def complaint_record(*, actor, case: Case, made_to: str, made_on: dt.date) -> Complaint:
    _sealed_only(case)
    with transaction.atomic():
        complaint = Complaint(
            case=case, made_to=made_to, made_on=made_on, recorded_by=actor, recorded_at=timezone.now()
        )
        complaint.full_clean()
        complaint.save()
        audit.record_for(
            actor,
            Action.UPDATE,
            case,
            changes={"complaint": complaint.public_id, "made_to": made_to},
            event=EventType.COMPLAINT_MADE,
        )
    return complaint


def complaint_outcome_record(*, actor, complaint: Complaint, outcome: str, outcome_on: dt.date) -> Complaint:
    _sealed_only(complaint.case)
    if outcome != ComplaintOutcome.ONGOING and outcome_on < complaint.made_on:
        raise IndependentError("The outcome date cannot be before the complaint was made.", field="outcome_on")
    with transaction.atomic():
        complaint.outcome, complaint.outcome_on = outcome, outcome_on
        complaint.outcome_recorded_at = timezone.now()
        complaint.full_clean()
        complaint.save(update_fields=["outcome", "outcome_on", "outcome_recorded_at"])
        audit.record_for(
            actor,
            Action.UPDATE,
            complaint.case,
            changes={"complaint": complaint.public_id, "outcome": outcome},
            event=EventType.COMPLAINT_OUTCOME_RECORDED,
        )
    return complaint


def disclosure_record(
    *, actor, case: Case, recipient: str, purpose: str, what: str, consent_given: bool, consent_recorded_on: dt.date
) -> Disclosure:
    """Record a disclosure. Refused without her consent: her decisions govern what is ever shared."""
    _sealed_only(case)
    if not consent_given:
        raise IndependentError(
            "Nothing can be shared without her consent. Record her consent first.", field="consent_given"
        )
    with transaction.atomic():
        disclosure = Disclosure(
            case=case,
            recipient=recipient,
            purpose=purpose,
            what_sealed=case.survivor.seal_for({"what": what}),
            consent_given=True,
            consent_recorded_on=consent_recorded_on,
            disclosed_at=timezone.now(),
            recorded_by=actor,
        )
        disclosure.full_clean()
        disclosure.save()
        audit.record_for(actor, Action.UPDATE, case, changes={"disclosure": True}, event=EventType.DISCLOSURE_RECORDED)
    return disclosure


def free_text_clear(*, survivor_ids: list[int]) -> int:
    """Blank who her information was disclosed to and why (clear text beside the sealed `what`), for erasure.

    The disclosure stays as a dated fact with its consent, so the accountability report still counts it."""
    return Disclosure.objects.filter(case__survivor_id__in=survivor_ids).update(recipient="", purpose="")
