"""Writes to referrals: intake, triage, offers and consent. Each one is a transaction with its audit event.

Concurrency: every action that changes a referral's state names the version it was based on; if another hub worker
changed the referral meanwhile, the action is refused with ConcurrentChange and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from carehub.accounts.models import Organisation
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.core import services as core_services
from carehub.core.choices import ServiceType
from carehub.core.rows import insert_together
from carehub.core.services import ServiceError, version_bump
from carehub.directory.models import Service
from carehub.notifications import signals as notification_signals
from carehub.people.models import Identity
from carehub.people.monitoring import age_band
from carehub.people.services import survivor_created, survivor_prepare
from carehub.referrals import dash
from carehub.referrals.history import previous_marac
from carehub.referrals.models import (
    Channel,
    Consent,
    ConsentKind,
    DashAssessment,
    DeclineReason,
    Offer,
    OfferStatus,
    PolicePerpetrator,
    Referral,
    ReferralEvent,
    RiskLevel,
    Status,
    new_reference,
)

POLICE_PERPETRATOR_VALUES = frozenset({PolicePerpetrator.SERVING, PolicePerpetrator.FORMER, PolicePerpetrator.STAFF})


class ReferralError(ServiceError):
    """A request that cannot be carried out, with a message a person understands and the field it concerns."""


class ConcurrentChange(ReferralError, core_services.ConcurrentChange):
    """Someone else changed the referral first; nothing was saved."""


class IdempotencyConflict(ReferralError):
    pass


class ServiceUnavailable(ReferralError):
    pass


@dataclass(frozen=True)
class SafeContact:
    """How and when it is safe to reach her. Sealed under her key with her identity."""

    phone_ok: bool = False
    text_ok: bool = False
    email_ok: bool = False
    voicemail_ok: bool = False
    safe_times: str = ""
    safe_word: str = ""
    notes: str = ""
    others_who_may_answer: str = ""


@dataclass(frozen=True)
class ReferralDetails:
    borough: str = ""
    age: int | None = None
    abuse_types: Sequence[str] = ()
    needs: Sequence[str] = ()
    wants_by_and_for: str = ""
    language: str = ""
    interpreter_needed: bool = False
    has_nrpf: bool = False
    worker_gender: str = ""
    perpetrator_relationship: str = ""
    perpetrator_police: str = PolicePerpetrator.NO
    agency_reference: str = ""
    children_count: int | None = None
    children_ages: str = ""
    childrens_services_aware: str = ""
    summary: str = ""  # the sender's account of what happened: sealed under her key, never a column


@dataclass(frozen=True)
class Referrer:
    name: str = ""
    role: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class SharingConsent:
    """Sharing with one organisation, or (`recipient_kind`) with every organisation of a kind."""

    recipient: Organisation | None = None
    expires_on: dt.date | None = None
    recipient_kind: str = ""


@dataclass
class IntakeRequest:
    """Everything one referral carries in, whichever channel it came by."""

    channel: str
    identity: Identity
    details: ReferralDetails
    contact: SafeContact = field(default_factory=SafeContact)
    equality: dict = field(default_factory=dict)
    referrer: Referrer | None = None
    consent_to_referral: bool = True
    sharing: Sequence[SharingConsent] = ()


def fingerprint(payload: dict) -> str:
    """A stable hash of a request body, so a reused idempotency key with a different body can be refused."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _record_event(referral: Referral, *, actor, from_status: str, to_status: str, service=None, note: str = "") -> None:
    _new_event(referral, actor=actor, from_status=from_status, to_status=to_status, service=service, note=note).save(
        force_insert=True
    )


def _new_event(
    referral: Referral, *, actor, from_status: str, to_status: str, service=None, note: str = ""
) -> ReferralEvent:
    """A change of a referral's state, not yet written: who, when, from what to what."""
    organisation = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        membership = actor.memberships.filter(is_active=True).select_related("organisation").first()
        organisation = membership.organisation if membership else None
    return ReferralEvent(
        referral=referral,
        at=timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        from_status=from_status,
        to_status=to_status,
        service=service,
        note=note,
    )


REFERENCE_ATTEMPTS = 3


def referral_create(
    *,
    actor,
    organisation: Organisation | None,
    request: IntakeRequest,
    idempotency_key: str = "",
    request_fingerprint: str = "",
) -> tuple[Referral, bool]:
    """Take in a referral. Returns (referral, created); a repeated idempotency key returns the first referral.

    A referral naming a serving or former police officer or police staff as the perpetrator is sealed at once and
    goes to the independent advisory service alone: it never enters the hub's queue.
    """
    # A repeated Idempotency-Key is found by the unique constraint, not by a look-up first: the first sending of a
    # referral is by far the common case, and the constraint alone is safe against two sendings racing.
    if request.channel != Channel.SELF and not request.consent_to_referral:
        raise ReferralError("The survivor must agree to this referral before it can be sent.", field="consent")
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        try:
            with transaction.atomic(), audit.batched():
                referral = _create(actor, organisation, request, idempotency_key, request_fingerprint, reference)
        except IntegrityError:
            # Sent before (a retry), or two identical requests raced and the other won: answer with that referral.
            if idempotency_key:
                existing = _existing_for_key(organisation, idempotency_key, request_fingerprint)
                if existing is not None:
                    return existing, False
            if _draw_again(reference, attempt):
                continue
            raise
        return referral, True
    raise AssertionError("unreachable")  # the loop returns or raises


def _draw_again(reference: str, attempt: int) -> bool:
    """After an IntegrityError: was it the reference? References are random (28 letters and digits, 8 places): among
    ten million stored, about one new referral in 38,000 draws a reference already taken. It is then taken in again
    under a new one, up to REFERENCE_ATTEMPTS times."""
    return attempt + 1 < REFERENCE_ATTEMPTS and Referral.objects.filter(reference=reference).exists()


def referral_create_onward(
    *, actor, earlier: Referral, organisation: Organisation, referrer: dict[str, str], needs: Sequence[str], note: str
) -> Referral:
    """A caseworker refers her on from a case: a new professional referral for her (the same survivor), her
    circumstances copied from `earlier`, `referrer` as who referred her, fresh risk (not assessed). Taken in like
    every other referral: a new reference (drawn again if taken), the first event, the referral consent, audited.
    cases.services.onward_referral_create calls it in the transaction that links the new referral to her case."""
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        try:
            with transaction.atomic():
                return _create_onward(actor, earlier, organisation, referrer, list(needs), note, reference)
        except IntegrityError:
            if _draw_again(reference, attempt):
                continue
            raise
    raise AssertionError("unreachable")  # the loop returns or raises


def _create_onward(
    actor, earlier: Referral, organisation: Organisation, referrer: dict, needs: list[str], note: str, reference: str
) -> Referral:
    survivor = earlier.survivor
    contact = survivor.unseal(earlier.contact_sealed) or {}
    contact["referrer"] = referrer
    now = timezone.now()
    referral = Referral(
        reference=reference,
        survivor=survivor,
        channel=Channel.PROFESSIONAL,
        referring_organisation=organisation,
        referred_by=actor,
        received_at=now,
        status=Status.RECEIVED,
        perpetrator_police=PolicePerpetrator.NO,
        perpetrator_relationship=earlier.perpetrator_relationship,
        borough=earlier.borough,
        age_at_referral=earlier.age_at_referral,
        age_band=earlier.age_band,
        abuse_types=list(earlier.abuse_types),
        needs=needs,
        wants_by_and_for=earlier.wants_by_and_for,
        language=earlier.language,
        interpreter_needed=earlier.interpreter_needed,
        has_nrpf=earlier.has_nrpf,
        worker_gender=earlier.worker_gender,
        risk_level=RiskLevel.NOT_ASSESSED,
        contact_sealed=survivor.seal_for(contact),
    )
    referral.full_clean(exclude=["survivor", "reference"])
    event = ReferralEvent(
        referral=referral, at=now, actor=actor, organisation=organisation, to_status=Status.RECEIVED, note=note
    )
    consent = Consent(referral=referral, kind=ConsentKind.REFERRAL, given=True, recorded_at=now, recorded_by=actor)
    insert_together(referral, event, consent)
    audit.record_for(
        actor,
        Action.CREATE,
        referral,
        changes={"channel": Channel.PROFESSIONAL, "onward": True},
        event=EventType.ONWARD_REFERRAL_CREATED,
    )
    return referral


def _existing_for_key(organisation: Organisation | None, key: str, request_fingerprint: str) -> Referral | None:
    existing = Referral.objects.filter(referring_organisation=organisation, idempotency_key=key).first()
    if existing is not None and request_fingerprint and existing.request_fingerprint != request_fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used for a different referral. Use a new key for a new referral.",
            field="Idempotency-Key",
        )
    return existing


def _create(
    actor, organisation, request: IntakeRequest, idempotency_key: str, request_fingerprint: str, reference: str
) -> Referral:
    details = request.details
    sealed = details.perpetrator_police in POLICE_PERPETRATOR_VALUES
    new_survivor = survivor_prepare(identity=request.identity, equality=request.equality, sealed=sealed)
    survivor = new_survivor.survivor
    now = timezone.now()
    contact_payload = {"safe_contact": asdict(request.contact)}
    if request.referrer is not None:
        contact_payload["referrer"] = asdict(request.referrer)
    referral = Referral(
        reference=reference,
        survivor=survivor,
        channel=request.channel,
        referring_organisation=organisation,
        referred_by=actor if getattr(actor, "is_authenticated", False) else None,
        received_at=now,
        status=Status.RECEIVED,
        sealed=sealed,
        perpetrator_police=details.perpetrator_police or PolicePerpetrator.NO,
        perpetrator_relationship=details.perpetrator_relationship,
        borough=details.borough,
        age_at_referral=details.age,
        age_band=age_band(details.age),
        abuse_types=list(details.abuse_types),
        needs=list(details.needs),
        wants_by_and_for=details.wants_by_and_for,
        language=details.language,
        interpreter_needed=details.interpreter_needed,
        has_nrpf=details.has_nrpf,
        worker_gender=details.worker_gender,
        contact_sealed=survivor.seal_for(contact_payload),
        agency_reference=details.agency_reference,
        children_count=details.children_count,
        children_ages=details.children_ages,
        childrens_services_aware=details.childrens_services_aware,
        summary_sealed=survivor.seal_for({"summary": details.summary}) if details.summary else None,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
    )
    # Fields set here from known rows are not re-checked against the database, and the constraints (idempotency)
    # are the database's to enforce: an IntegrityError is answered above. Each check would be a query per referral.
    referral.full_clean(
        exclude=["survivor", "reference", "referring_organisation", "referred_by"], validate_constraints=False
    )
    # Her rows, the referral, its first event and the consents: one statement on PostgreSQL (core.rows).
    insert_together(
        *new_survivor.rows,
        referral,
        _new_event(referral, actor=actor, from_status="", to_status=Status.RECEIVED, note=request.channel),
        *_new_consents(referral, actor, request, now),
    )
    survivor_created(actor=actor, new=new_survivor)
    audit.record_for(
        actor,
        Action.CREATE,
        referral,
        changes={"channel": request.channel, "sealed": sealed},
        event=EventType.REFERRAL_CREATED,
    )
    if sealed:
        _route_sealed(referral, actor)
    else:  # sealed referrals are never matched with anyone, so never checked for an earlier one
        notification_signals.referral_received.send(sender=Referral, referral=referral)
    return referral


def _new_consents(referral: Referral, actor, request: IntakeRequest, now: dt.datetime) -> list[Consent]:
    """The consents given with a referral, not yet written: to the referral itself, and to each recipient."""
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    consents = [
        Consent(
            referral=referral,
            kind=ConsentKind.REFERRAL,
            given=request.consent_to_referral or request.channel == Channel.SELF,
            recorded_at=now,
            recorded_by=recorded_by,
        )
    ]
    for sharing in request.sharing:
        consents.append(
            Consent(
                referral=referral,
                kind=ConsentKind.SHARING,
                recipient=sharing.recipient,
                recipient_kind=sharing.recipient_kind,
                given=True,
                expires_on=sharing.expires_on,
                recorded_at=now,
                recorded_by=recorded_by,
            )
        )
    return consents


# The sealed pathway is the independent app's (it sits above referrals and cases, and referrals must not import
# either): independent.apps.ready() hands referral intake its router, independent.services.sealed_referral_route,
# which this module calls inside the intake transaction, so a sealed referral is routed, and its case opened, in the
# same commit that takes it in. A plain function set once at start-up rather than a Django signal: there is exactly
# one receiver, it must run in this transaction, and a reader finds it by name. Without the independent app, a sealed
# referral stays sealed and unrouted, visible to independent advisers only, never to the hub.
_route_sealed: Callable[[Referral, object], None] = lambda referral, actor: None  # noqa: E731


def route_sealed_with(router: Callable[[Referral, object], None]) -> None:
    """Set the sealed pathway's router (called by independent.apps.ready)."""
    global _route_sealed
    _route_sealed = router


def referral_route_sealed(*, referral: Referral, service: Service) -> None:
    """Referrals' half of the sealed pathway: the referral is accepted straight onto `service` (the independent
    advisory service's), without triage or an offer. independent.services.sealed_referral_route opens the case."""
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(
        status=Status.ACCEPTED, routed_service=service, routed_at=now, version=F("version") + 1
    )
    referral.refresh_from_db()
    _record_event(
        referral,
        actor=None,
        from_status=Status.RECEIVED,
        to_status=Status.ACCEPTED,
        service=service,
        note="sealed pathway: routed to the independent advisory service",
    )


# --- triage ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageInput:
    answers: dict[int, str]
    fears: str = ""
    professional_judgement: bool = False
    professional_judgement_reason: str = ""
    police_callouts_12_months: int = 0
    same_perpetrator_as_last_marac: bool = False
    new_incident_is_criminal: bool = False
    details: ReferralDetails | None = None


def _bump_version(referral: Referral, expected_version: int, **changes) -> None:
    version_bump(referral, expected_version, noun="referral", conflict=ConcurrentChange, **changes)


def dash_assessment_save(
    *, actor, referral: Referral, triage: TriageInput, result: dash.Assessment, rules_version: str, at: dt.datetime
) -> DashAssessment:
    """The DASH row of a triage (the hub's) or of a sealed-pathway assessment (risk.referral_assess_sealed): her
    answers, her fears sealed under her data key, the score and what the rules made of it. Called inside the
    caller's transaction, which also moves the referral on and writes the audit event."""
    return DashAssessment.objects.create(
        referral=referral,
        answers={str(k): v for k, v in sorted(triage.answers.items())},
        fears_sealed=referral.survivor.seal_for({"fears": triage.fears}) if triage.fears else None,
        score=result.score,
        professional_judgement=triage.professional_judgement,
        professional_judgement_reason=triage.professional_judgement_reason,
        police_callouts_12_months=triage.police_callouts_12_months,
        high_risk=result.high_risk,
        high_risk_reasons=result.reasons,
        marac_referral=result.marac_referral,
        marac_repeat=result.marac_repeat,
        rules_version=rules_version,
        assessed_at=at,
        assessed_by=actor,
    )


def referral_triage(*, actor, referral: Referral, expected_version: int, triage: TriageInput) -> DashAssessment:
    """Record a DASH assessment and the needs found in triage; the referral joins the routing stage."""
    if referral.sealed:
        raise ReferralError("This referral cannot be triaged by the hub.")
    if referral.status not in {Status.RECEIVED, Status.IN_TRIAGE}:
        raise ReferralError(
            "This referral has already been offered to a service; it can be triaged again after a decline."
        )
    if triage.professional_judgement and not triage.professional_judgement_reason.strip():
        raise ReferralError("Give the reason for your professional judgement.", field="professional_judgement_reason")
    today = timezone.localdate()
    result = dash.assess(
        triage.answers,
        professional_judgement=triage.professional_judgement,
        police_callouts_12_months=triage.police_callouts_12_months,
        previous_marac=previous_marac(referral, triage.same_perpetrator_as_last_marac, triage.new_incident_is_criminal),
        today=today,
    )
    rules = dash.rules_from_settings()
    with transaction.atomic():
        changes = {
            "status": Status.IN_TRIAGE,
            "risk_level": result.risk_level,
            "dash_score": result.score,
            "marac": result.marac_referral,
            "marac_repeat": result.marac_repeat,
            "triaged_at": timezone.now(),
        }
        if triage.details is not None:
            d = triage.details
            changes.update(
                needs=list(d.needs),
                wants_by_and_for=d.wants_by_and_for,
                language=d.language,
                interpreter_needed=d.interpreter_needed,
                has_nrpf=d.has_nrpf,
                worker_gender=d.worker_gender,
                age_at_referral=d.age,
                age_band=age_band(d.age),
            )
        old_status = referral.status
        _bump_version(referral, expected_version, **changes)
        assessment = dash_assessment_save(
            actor=actor, referral=referral, triage=triage, result=result, rules_version=rules.version, at=timezone.now()
        )
        if old_status != Status.IN_TRIAGE:
            _record_event(referral, actor=actor, from_status=old_status, to_status=Status.IN_TRIAGE)
        audit.record_for(
            actor,
            Action.UPDATE,
            referral,
            changes={"triage": True, "risk_level": result.risk_level},
            event=EventType.REFERRAL_TRIAGED,
        )
        _after_triage(actor, referral, assessment)
    return assessment


# What follows a triage in the same transaction: the MARAC app refers her to MARAC when the assessment meets the
# criteria. MARAC sits above referrals, so it hands its step in from marac.apps.ready(), as independent does for the
# sealed pathway (route_sealed_with); without it, triage stands alone.
_after_triage: Callable[[object, Referral, DashAssessment], None] = lambda actor, referral, assessment: None  # noqa: E731


def after_triage_with(step: Callable[[object, Referral, DashAssessment], None]) -> None:
    """Set the step that follows every hub triage, inside its transaction (called by marac.apps.ready)."""
    global _after_triage
    _after_triage = step


# --- offers ------------------------------------------------------------------------------------------------------


def offer_create(
    *,
    actor,
    referral: Referral,
    service: Service,
    expected_version: int,
    hub_reason: str,
    rank: int | None = None,
    score: float | None = None,
    reasons: list[str] | None = None,
) -> Offer:
    """Offer the referral to a service. Refused if the service has stopped taking referrals."""
    if referral.sealed or service.service_type == ServiceType.INDEPENDENT_ADVISORY:
        raise ReferralError("Only police-perpetrated abuse goes to the independent advisory service.")
    if referral.status == Status.RECEIVED:
        raise ReferralError("Triage this referral before offering it to a service.")
    if referral.status != Status.IN_TRIAGE:
        raise ReferralError("This referral is not waiting to be offered.")
    if not hub_reason.strip():
        raise ReferralError("Say why you chose this service.", field="hub_reason")
    service.refresh_from_db(fields=["accepting_referrals"])
    if not service.accepting_referrals:
        raise ServiceUnavailable(
            f"{service.name} has stopped taking referrals. Choose another service from the list.", field="service"
        )
    with transaction.atomic():
        old_status = referral.status
        _bump_version(
            referral, expected_version, status=Status.OFFERED, routed_service=service, routed_at=timezone.now()
        )
        offer = Offer.objects.create(
            referral=referral,
            service=service,
            rank=rank,
            score=score,
            reasons=reasons or [],
            hub_reason=hub_reason,
            offered_at=timezone.now(),
            offered_by=actor,
        )
        _record_event(
            referral, actor=actor, from_status=old_status, to_status=Status.OFFERED, service=service, note=hub_reason
        )
        audit.record_for(actor, Action.UPDATE, referral, changes={"offered_to": service.pk}, event=EventType.OFFER_MADE)
    return offer


def _pending(offer: Offer) -> Offer:
    locked = Offer.objects.select_for_update().select_related("referral", "service").get(pk=offer.pk)
    if locked.status != OfferStatus.PENDING:
        raise ConcurrentChange("This offer has already been answered. Nothing has been changed.")
    return locked


def offer_accept(*, actor, offer: Offer) -> Offer:
    """Referrals' half of a service taking the referral: the offer and the referral are accepted. Returns the offer
    as locked. Call cases.services.case_open_from_offer, which calls this in the transaction that opens the case
    (cases owns the case table; referrals sits below cases and never writes it)."""
    with transaction.atomic():
        offer = _pending(offer)
        referral = offer.referral
        offer.status, offer.responded_at, offer.responded_by = OfferStatus.ACCEPTED, timezone.now(), actor
        Offer.objects.filter(pk=offer.pk).update(
            status=offer.status, responded_at=offer.responded_at, responded_by=actor
        )
        _bump_version(referral, referral.version, status=Status.ACCEPTED)
        _record_event(
            referral, actor=actor, from_status=Status.OFFERED, to_status=Status.ACCEPTED, service=offer.service
        )
    return offer


def referral_close_with_case(*, actor, referral: Referral, service: Service, at: dt.datetime) -> None:
    """The referral that led to a case closes with it, so its sender's status page says so (cases.services.case_close
    calls this in its transaction). Only an accepted referral closes: one already closed is left as it is."""
    if Referral.objects.filter(pk=referral.pk, status=Status.ACCEPTED).update(
        status=Status.CLOSED, version=F("version") + 1
    ):
        ReferralEvent.objects.create(
            referral=referral,
            at=at,
            actor=actor,
            from_status=Status.ACCEPTED,
            to_status=Status.CLOSED,
            service=service,
            note="case closed",
        )


def offer_decline(*, actor, offer: Offer, reason: str, detail: str = "") -> None:
    """The service cannot take it: the referral goes back to the hub for the next offer.

    `reason` is a DeclineReason code (counted as unmet need); "other" needs `detail`, the service's own words."""
    detail = detail.strip()
    if reason not in DeclineReason.values:
        raise ReferralError("Choose why the service cannot take this referral.", field="reason")
    if reason == DeclineReason.OTHER and not detail:
        raise ReferralError("Say why the service cannot take this referral.", field="detail")
    with transaction.atomic():
        offer = _pending(offer)
        referral = offer.referral
        Offer.objects.filter(pk=offer.pk).update(
            status=OfferStatus.DECLINED,
            responded_at=timezone.now(),
            responded_by=actor,
            decline_reason=reason,
            decline_detail=detail,
        )
        _bump_version(referral, referral.version, status=Status.IN_TRIAGE, routed_service=None)
        _record_event(
            referral,
            actor=actor,
            from_status=Status.OFFERED,
            to_status=Status.IN_TRIAGE,
            service=offer.service,
            note=f"declined: {DeclineReason(reason).label}" + (f": {detail}" if detail else ""),
        )
        audit.record_for(
            actor, Action.UPDATE, referral, changes={"declined_offer": offer.public_id}, event=EventType.OFFER_DECLINED
        )
        notification_signals.offer_declined.send(sender=Offer, offer=offer)


# --- consent -----------------------------------------------------------------------------------------------------


def consent_revoke(*, actor, consent: Consent, reason: str) -> Consent:
    """Withdraw a consent, with the reason she gave. The old row stays: the history of what she agreed to, and when,
    is kept. The reason may name people, so it is sealed under her key; the audit records only that one was given."""
    if not consent.given:
        raise ReferralError("This consent has already been withdrawn.")
    reason = (reason or "").strip()
    if not reason:
        raise ReferralError("Say why she is withdrawing her consent.", field="reason")
    with transaction.atomic():
        revoked = Consent.objects.create(
            referral=consent.referral,
            kind=consent.kind,
            recipient=consent.recipient,
            recipient_kind=consent.recipient_kind,
            given=False,
            recorded_at=timezone.now(),
            recorded_by=actor,
            supersedes=consent,
            reason_sealed=consent.referral.survivor.seal_for({"reason": reason}),
        )
        audit.record_for(
            actor,
            Action.UPDATE,
            consent.referral,
            changes={"consent_revoked": consent.public_id, "reason_given": True},
            event=EventType.CONSENT_REVOKED,
        )
    return revoked


def free_text_clear(*, survivor_ids: list[int]) -> int:
    """Blank the free text about these survivors' referrals that is not sealed under their keys, for erasure.

    Her identity and sealed notes go with her data key; what the hub wrote in the clear can name her too: the
    sender's reference (a police CAD or CRIS number leads back to her), the notes on status changes (a decline's
    own words), the hub's reason for a choice of service, a decline's detail and a professional judgement's
    reasons. The coded facts beside them (statuses, dates, decline reasons, risk) stay: analysis counts them.
    Call it inside the caller's transaction (its audit events say what was erased); returns referrals touched.
    """
    referrals = Referral.objects.filter(survivor_id__in=survivor_ids)
    touched = referrals.exclude(agency_reference="").update(agency_reference="")
    ReferralEvent.objects.filter(referral__survivor_id__in=survivor_ids).exclude(note="").update(note="")
    Offer.objects.filter(referral__survivor_id__in=survivor_ids).update(hub_reason="", decline_detail="")
    DashAssessment.objects.filter(referral__survivor_id__in=survivor_ids).exclude(
        professional_judgement_reason=""
    ).update(professional_judgement_reason="")
    return touched
