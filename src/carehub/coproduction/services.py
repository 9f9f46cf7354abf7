"""Writes of co-production: each a `<entity>_<action>(*, actor, ...)` with its audit event in the same transaction.

Commitments, consultations, answers, decisions and actions are about organisations and plans: their events name the
record by its public identifier and never hold a person. Survivors' feedback is written so that nothing joins her
answers to her case (see models.py): offering the link is audited against the case and never names the token; using
the link writes no audit event and no log line at all, since an event's time or order would be a join.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from carehub.accounts.models import Organisation
from carehub.assessments import selectors as published_runs
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.coproduction.models import (
    ActionStatus,
    ActionUpdate,
    Answer,
    Assessment,
    AssessmentRun,
    Commitment,
    CommitmentAction,
    CommitmentStatus,
    Consultation,
    Decision,
    FeedbackAnswer,
    FeedbackHeld,
    FeedbackMoment,
    FeedbackOffer,
    FeedbackToken,
    Invitation,
    Point,
    Response,
    Stance,
)
from carehub.core.choices import Community, ServiceType
from carehub.core.services import ServiceError

TWELVE_WEEKS = dt.timedelta(weeks=12)
# The contact methods a feedback link may go by, as her safe-contact answers name them (policy.SAFE_CONTACT_METHODS).
LINK_METHODS = {"text": "Text message", "email": "Email"}


class CoproductionError(ServiceError):
    """A co-production request refused, with a sentence a person understands."""


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _codes(values, vocabulary, *, field_name: str) -> list[str]:
    unknown = [v for v in values if v not in vocabulary.values]
    if unknown:
        raise CoproductionError("Choose from the list.", field=field_name)
    return sorted(set(values))


# --- commitments and assessments ------------------------------------------------------------------------------


def commitment_create(
    *,
    actor,
    title: str,
    description: str,
    owner: str,
    service_types: list[str],
    populations: list[str],
    status: str = CommitmentStatus.PROPOSED,
    now: dt.datetime | None = None,
) -> Commitment:
    commitment = Commitment(
        title=title.strip(),
        description=description.strip(),
        owner=owner.strip(),
        status=status,
        service_types=_codes(service_types, ServiceType, field_name="service_types"),
        populations=_codes(populations, Community, field_name="populations"),
        created_by=actor,
        created_at=_now(now),
    )
    commitment.full_clean()
    with transaction.atomic():
        commitment.save()
        audit.record_for(
            actor, Action.CREATE, commitment, changes={"status": status}, event=EventType.COMMITMENT_CREATED
        )
    return commitment


def commitment_set_status(*, actor, commitment: Commitment, status: str) -> Commitment:
    if status not in CommitmentStatus.values:
        raise CoproductionError("Choose a status.", field="status")
    old = commitment.status
    with transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(status=status)
        commitment.status = status
        audit.record_for(
            actor,
            Action.UPDATE,
            commitment,
            changes={"status": [old, status]},
            event=EventType.COMMITMENT_STATUS_CHANGED,
        )
    return commitment


def assessment_create(
    *,
    actor,
    commitment: Commitment,
    assessed_on: dt.date,
    runs: list[str],
    impact: str,
    mitigation: str,
    monitoring: str,
    now: dt.datetime | None = None,
) -> Assessment:
    """An equality impact assessment with one or more published equality runs as its evidence.

    Each run is copied as it stands now (title, specification, date, headline findings): a published run is
    replaced when the engine runs again, and an assessment signed off on one set of findings must keep them.
    """
    if not runs:
        raise CoproductionError("Choose at least one published equality run.", field="runs")
    snapshots = []
    for name in runs:
        run = published_runs.published(name)
        if run is None or not run.document:
            raise CoproductionError("That equality run has not been published.", field="runs")
        meta = run.document.get("assessment", {})
        snapshots.append(
            AssessmentRun(
                name=name,
                title=meta.get("title") or run.title,
                specification=meta.get("specification") or "",
                published_on=str(meta.get("generated_at") or meta.get("run_at") or "")[:10],
                findings=list(run.document.get("findings", []))[:20],
            )
        )
    for text, name in ((impact, "impact"), (mitigation, "mitigation"), (monitoring, "monitoring")):
        if not text.strip():
            raise CoproductionError("Answer this question in words.", field=name)
    assessment = Assessment(
        commitment=commitment,
        assessed_on=assessed_on,
        impact=impact.strip(),
        mitigation=mitigation.strip(),
        monitoring=monitoring.strip(),
        created_at=_now(now),
    )
    assessment.full_clean()
    with transaction.atomic():
        assessment.save()
        for snapshot in snapshots:
            snapshot.assessment = assessment
            snapshot.save()
        audit.record_for(
            actor,
            Action.CREATE,
            assessment,
            changes={"commitment": commitment.public_id, "runs": runs},
            event=EventType.ASSESSMENT_CREATED,
        )
    return assessment


def assessment_sign_off(*, actor, assessment: Assessment, name: str, now: dt.datetime | None = None) -> Assessment:
    """The assessor signs the assessment off: until then the commitment has no current assessment."""
    if assessment.is_signed_off:
        raise CoproductionError("This assessment is already signed off.")
    if not name.strip():
        raise CoproductionError("Enter the assessor's name as she signs.", field="name")
    with transaction.atomic():
        assessment.signed_off_by = actor
        assessment.signed_off_name = name.strip()
        assessment.signed_off_at = _now(now)
        assessment.save(update_fields=["signed_off_by", "signed_off_name", "signed_off_at"])
        audit.record_for(
            actor, Action.UPDATE, assessment, changes={"signed_off": True}, event=EventType.ASSESSMENT_SIGNED_OFF
        )
    return assessment


# --- consultations --------------------------------------------------------------------------------------------


# Organisations a consultation may invite: service providers, never police, funders or the hub itself.
CONSULTABLE = {Organisation.Kind.BY_AND_FOR, Organisation.Kind.SPECIALIST, Organisation.Kind.INDEPENDENT_ADVISORY}


def consultation_open(
    *,
    actor,
    commitment: Commitment,
    question: str,
    documents: str,
    closes_on: dt.date,
    organisations: list[Organisation],
    assessment: Assessment | None = None,
    now: dt.datetime | None = None,
) -> Consultation:
    moment = _now(now)
    if closes_on <= timezone.localdate(moment):
        raise CoproductionError("The closing date must be in the future.", field="closes_on")
    if not organisations:
        raise CoproductionError("Invite at least one organisation.", field="organisations")
    if any(o.kind not in CONSULTABLE for o in organisations):
        raise CoproductionError("Only service providers can be invited.", field="organisations")
    if assessment is not None and assessment.commitment_id != commitment.pk:
        raise CoproductionError("Choose an assessment of this commitment.", field="assessment")
    consultation = Consultation(
        commitment=commitment,
        question=question.strip(),
        documents=documents.strip(),
        assessment=assessment,
        closes_on=closes_on,
        opened_by=actor,
        opened_at=moment,
    )
    consultation.full_clean()
    with transaction.atomic():
        consultation.save()
        Invitation.objects.bulk_create(
            Invitation(
                consultation=consultation,
                organisation=o,
                was_by_and_for=o.kind == Organisation.Kind.BY_AND_FOR,
                communities=list(o.led_by_and_for) if o.kind == Organisation.Kind.BY_AND_FOR else [],
            )
            for o in organisations
        )
        audit.record_for(
            actor,
            Action.CREATE,
            consultation,
            changes={"commitment": commitment.public_id, "invited": sorted(o.slug for o in organisations)},
            event=EventType.CONSULTATION_OPENED,
        )
    return consultation


@dataclass
class PointInput:
    text: str
    evidence: str = ""
    communities: list[str] = field(default_factory=list)


def response_submit(
    *,
    actor,
    consultation: Consultation,
    organisation: Organisation,
    stance: str,
    in_confidence: bool,
    points: list[PointInput],
    now: dt.datetime | None = None,
) -> Response:
    """An invited organisation's one answer. The caller has checked, through the policy, that `actor` speaks for
    `organisation`; here the invitation, the closing date and the answer's shape are checked."""
    moment = _now(now)
    invitation = Invitation.objects.filter(consultation=consultation, organisation=organisation).first()
    if invitation is None:
        raise CoproductionError("This organisation was not invited to this consultation.")
    if timezone.localdate(moment) > consultation.closes_on:
        raise CoproductionError("This consultation has closed.")
    if stance not in Stance.values:
        raise CoproductionError("Say whether you support the commitment.", field="stance")
    points = [p for p in points if p.text.strip()]
    if not points:
        raise CoproductionError("Make at least one point.", field="point_1")
    for p in points:
        _codes(p.communities, Community, field_name="communities_1")
    try:
        with transaction.atomic():
            response = Response.objects.create(
                invitation=invitation, stance=stance, in_confidence=in_confidence, submitted_by=actor,
                submitted_at=moment,
            )  # fmt: skip
            for p in points:
                Point.objects.create(
                    response=response, text=p.text.strip(), evidence=p.evidence.strip(),
                    communities=sorted(set(p.communities)),
                )  # fmt: skip
            audit.record_for(
                actor,
                Action.CREATE,
                response,
                changes={"consultation": consultation.public_id, "stance": stance, "in_confidence": in_confidence},
                event=EventType.CONSULTATION_ANSWERED,
            )
    except IntegrityError:
        raise CoproductionError("Your organisation has already answered this consultation.") from None
    return response


# --- you said, we did -----------------------------------------------------------------------------------------


def point_decide(*, actor, point: Point, decision: str, reasons: str, now: dt.datetime | None = None) -> Point:
    if decision not in Decision.values:
        raise CoproductionError("Choose a decision.", field="decision")
    if not reasons.strip():
        raise CoproductionError("Give the reasons for the decision.", field="reasons")
    old = point.decision
    with transaction.atomic():
        point.decision, point.reasons, point.decided_at = decision, reasons.strip(), _now(now)
        point.save(update_fields=["decision", "reasons", "decided_at"])
        audit.record_for(
            actor, Action.UPDATE, point, changes={"decision": [old, decision]}, event=EventType.POINT_DECIDED
        )
    return point


def action_add(
    *,
    actor,
    commitment: Commitment,
    title: str,
    owner: str,
    due_on: dt.date,
    points: list[Point] = (),
    now: dt.datetime | None = None,
) -> CommitmentAction:
    if any(p.response.invitation.consultation.commitment_id != commitment.pk for p in points):
        raise CoproductionError("Choose points made about this commitment.", field="points")
    action = CommitmentAction(commitment=commitment, title=title.strip(), owner=owner.strip(), due_on=due_on)
    action.full_clean()
    with transaction.atomic():
        action.save()
        action.points.set(points)
        ActionUpdate.objects.create(action=action, at=_now(now), status=action.status, progress=0, note="Action agreed")
        audit.record_for(
            actor,
            Action.CREATE,
            action,
            changes={"commitment": commitment.public_id},
            event=EventType.COMMITMENT_ACTION_ADDED,
        )
    return action


def action_update(
    *, actor, action: CommitmentAction, status: str, progress: int, note: str = "", now: dt.datetime | None = None
) -> CommitmentAction:
    """A step on the action's timeline: its status and progress now, with a note (kept whole, never overwritten)."""
    if status not in ActionStatus.values:
        raise CoproductionError("Choose a status.", field="status")
    if not 0 <= progress <= 100:
        raise CoproductionError("Progress is a percentage from 0 to 100.", field="progress")
    if status == ActionStatus.DONE and progress != 100:
        raise CoproductionError("An action that is done is 100% done.", field="progress")
    old = (action.status, action.progress)
    with transaction.atomic():
        action.status, action.progress = status, progress
        action.save(update_fields=["status", "progress"])
        ActionUpdate.objects.create(action=action, at=_now(now), status=status, progress=progress, note=note.strip())
        audit.record_for(
            actor,
            Action.UPDATE,
            action,
            changes={"status": [old[0], status], "progress": [old[1], progress]},
            event=EventType.COMMITMENT_ACTION_UPDATED,
        )
    return action


# --- survivors' voice -----------------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> str:
    """The only time feedback carries: "2026-Q4"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feedback_moment_due(case, *, now: dt.datetime | None = None) -> str | None:
    """Which offer is due for a case now: at closure, or at 12 weeks of a case still open; None otherwise."""
    moment = _now(now)
    if case.is_closed:
        return FeedbackMoment.CLOSURE
    if case.opened_at and moment - case.opened_at >= TWELVE_WEEKS:
        return FeedbackMoment.TWELVE_WEEKS
    return None


def feedback_offer(*, actor, case, method: str, safe_methods: frozenset[str], now: dt.datetime | None = None) -> str:
    """Make a one-time feedback link for the woman of `case`, to go by `method`; returns the token, shown once.

    `safe_methods` are the methods she said are safe (the caller reads them through the policy): any other is
    refused, so a link never reaches a phone or inbox that someone else may see. The token's row holds its hash,
    the service and the quarter: never the case. The audit event names the case and the method, never the token.
    """
    moment_now = _now(now)
    if case.sealed:
        raise CoproductionError("Feedback links are not offered on the sealed pathway.")
    moment = feedback_moment_due(case, now=moment_now)
    if moment is None:
        raise CoproductionError("A feedback link is offered when her case closes, or after 12 weeks of support.")
    if method not in LINK_METHODS or method not in safe_methods:
        raise CoproductionError("Choose a way to contact her that she said is safe.", field="method")
    token = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            FeedbackOffer.objects.create(case=case, moment=moment)
            FeedbackToken.objects.create(
                token_hash=token_hash(token), service=case.service, quarter=quarter_of(timezone.localdate(moment_now))
            )
            audit.record_for(
                actor,
                Action.CREATE,
                case,
                reason="feedback link offered",
                changes={"method": method},
                event=EventType.FEEDBACK_LINK_OFFERED,
            )
    except IntegrityError:
        raise CoproductionError("She has already been offered a feedback link for this stage of her support.") from None
    return token


@dataclass
class FeedbackInput:
    felt_believed: str
    felt_safe: str
    culture_fit: str
    knew_rights: str
    would_recommend: str
    open_text: str = ""
    ethnic_group: str = ""
    disabled: str = ""
    sexual_orientation: str = ""
    age_band: str = ""


def feedback_submit(*, digest: str, answers: FeedbackInput, now: dt.datetime | None = None) -> None:
    """Hold her answers against the service and quarter of the link whose token hashes to `digest` (her session
    keeps the hash, never the token), and delete the token: one link, one answer.

    No actor (she does not sign in), no audit event, no log line and no task queued: an event's time or its place in
    the chain, beside the offer's event, would join her answers to her case. The answers go to the holding pool
    (`FeedbackHeld`), not to the reported table: see `feedback_flush` for why. Nothing is returned that names them.
    """
    for name in ("felt_believed", "felt_safe", "culture_fit", "knew_rights", "would_recommend"):
        if getattr(answers, name) not in Answer.values:
            raise CoproductionError("Choose an answer.", field=name)
    with transaction.atomic():
        found = FeedbackToken.objects.select_for_update().filter(token_hash=digest).first() if digest else None
        if found is None:
            raise CoproductionError("This feedback link has already been used or is not valid.")
        FeedbackHeld.objects.create(
            service_id=found.service_id,
            quarter=found.quarter,
            held_in=quarter_of(timezone.localdate(_now(now))),
            **answers.__dict__,
        )
        found.delete()


# Answers of one service and quarter move to the reported table together, at least this many at a time (as many as
# a report needs before it shows a group at all), or when the quarter they were given in has ended.
FEEDBACK_BATCH = 10
_CONTENT_ORDER = (*FeedbackHeld.ANSWER_FIELDS, "key")


def feedback_flush(*, today: dt.date | None = None, rng: random.Random | None = None) -> int:
    """Move held answers into the reported table in a random order, and delete them from the holding pool.

    Why: an answer's random key says nothing, but the rows of a table do. SQLite numbers rows (rowid) and
    PostgreSQL lays them out (ctid) and stamps them (xmin, the writing transaction) in the order they are written,
    so someone holding the database and remembering which link went to which case, and who has answered, could
    line answers up with women by their order. Here the reported rows are written only in batches: every held
    answer of a service and quarter once at least FEEDBACK_BATCH of them wait, and everything given in a quarter
    that has ended (so no answer waits past the end of the quarter after it was given); all answers moving in one
    run are shuffled together (by the operating system's randomness unless a test passes `rng`) and written in one
    transaction. Run daily from `carehub notify sweep` (coproduction.tasks.feedback_flush). Returns how many moved.

    What is left, honestly:
    - While answers wait in the pool, its rows are in the order they were given: someone reading the database then
      sees that order for the answers waiting (at most until their quarter ends, FEEDBACK_BATCH - 1 per service
      and quarter beyond that, usually fewer).
    - Deleting is not erasing: SQLite keeps deleted rows in free pages until they are reused (unless PRAGMA
      secure_delete is on), PostgreSQL keeps dead rows until VACUUM, and the write-ahead log and any backup or
      replica taken while answers waited keep the pool as it was. Backups must be guarded as the database is.
    - Batches are in order among themselves: an answer is narrowed down to its batch (at least FEEDBACK_BATCH
      answers of its service and quarter; at a quarter's end, whatever waited, which may be a single late answer).
    - Who answered is not hidden, only what each said. The token table's rows are in the order links were offered,
      as are the offers (`FeedbackOffer`, which name cases) and their audit events: someone with the database can
      pair a token still unused with its case by that order, and so tell which women of a service and quarter
      have answered. Someone watching the database over time also sees a token's hash vanish as a held row
      appears. So if one woman of a service and quarter answered, the answer is hers whatever the order: reports
      suppress small numbers, the raw tables cannot. Links that carry their service and quarter signed, with a
      table of spent links instead of a table of offered ones, would remove the pairing; not done yet.
    - The task queue records when each flush ran (daily, whatever the answers) and nothing about any answer: the
      task returns nothing.
    """
    current = quarter_of(today or timezone.localdate())
    shuffle = (rng or random.SystemRandom()).shuffle
    with transaction.atomic():
        # Read in an order of their content, not of their writing (and the same in every run, for tests' seeds).
        held = list(FeedbackHeld.objects.select_for_update().order_by(*_CONTENT_ORDER))
        waiting = Counter((h.service_id, h.quarter) for h in held)
        moving = [h for h in held if waiting[(h.service_id, h.quarter)] >= FEEDBACK_BATCH or h.held_in < current]
        shuffle(moving)
        FeedbackAnswer.objects.bulk_create(
            [FeedbackAnswer(**{name: getattr(h, name) for name in FeedbackHeld.ANSWER_FIELDS}) for h in moving]
        )
        keys = [h.key for h in moving]
        for start in range(0, len(keys), 500):  # SQLite's bound on a statement's parameters
            FeedbackHeld.objects.filter(key__in=keys[start : start + 500]).delete()
    return len(moving)
