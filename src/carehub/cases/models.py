"""Support episodes: a survivor's case at one service, and the work recorded on it.

Personal free text (goals, the safety plan, contact notes, what a document is and where it is held) is sealed under
the survivor's own data key, like her identity, so erasing her key erases it too and a database copy reveals nothing.
Structured facts (kinds, dates, minutes, statuses, scores) stay in the clear: they are what analysis counts.

Columns added after the first release carry a `db_default`, so bulk loaders that name their columns (the demo seed)
still get a value.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from carehub.core.choices import AbuseType
from carehub.core.public_ids import display, new_public_id
from carehub.directory.models import Service
from carehub.people.models import Survivor
from carehub.referrals.models import Referral


class CaseStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for a caseworker"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    COMPLETED = "completed", "Support completed"
    DISENGAGED = "disengaged", "Disengaged"
    MOVED_AWAY = "moved_away", "Moved away"
    # Analysis of repeat referrals (insight.duration) counts moving away, dying and an erased record as competing
    # events: each ends the chance of a repeat referral being seen here, which is not the same as her not coming back.
    DIED = "died", "She died"
    TRANSFERRED = "transferred", "Transferred to another service"
    SURVIVOR_CHOICE = "survivor_choice", "Survivor's choice"
    OTHER = "other", "Other"


class Case(models.Model):
    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="cases")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="cases")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.WAITING)
    sealed = models.BooleanField(default=False, help_text="Copied from the referral: the sealed pathway.")
    accepted_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    version = models.PositiveIntegerField(
        default=1, db_default=1, help_text="Optimistic lock: two people cannot allocate or close the case at once."
    )
    # A manager's reason for confirming a closure that needed one (cases.closure), sealed under her key.
    closure_note_sealed = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        indexes = [
            models.Index(fields=["service", "status"], name="case_service_idx"),
            models.Index(fields=["caseworker", "status"], name="case_caseworker_idx"),
            models.Index(fields=["survivor", "closed_at"], name="case_survivor_idx"),
            # The waiting list and caseloads: a service's waiting cases, a caseworker's open ones, in the order they
            # waited; risk (the referral's) is sorted after, over that one list.
            models.Index(
                fields=["service", "accepted_at", "public_id"],
                condition=models.Q(status="waiting"),
                name="case_waiting_idx",
            ),
            models.Index(
                fields=["caseworker", "opened_at", "public_id"],
                condition=models.Q(status="open"),
                name="case_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {display(self.public_id)}"

    @property
    def support_weeks(self) -> float | None:
        if not (self.opened_at and self.closed_at):
            return None
        return (self.closed_at - self.opened_at).days / 7

    @property
    def is_waiting(self) -> bool:
        return self.status == CaseStatus.WAITING

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class TransferReason(models.TextChoices):
    """Why a case moved between caseworkers. Fixed choices, so nothing personal is written down in the clear."""

    WORKLOAD = "workload", "Balancing caseloads"
    ABSENCE = "absence", "Caseworker absent or on leave"
    LEFT = "left", "Caseworker left the service"
    SKILLS = "skills", "Skills, language or specialism"
    SURVIVOR_REQUEST = "survivor_request", "She asked for a different worker"
    OTHER = "other", "Another reason"


class Allocation(models.Model):
    """Who held the case from when: the first allocation (no `from_caseworker`) and every transfer after it.

    Rows are only ever added, so the history of who worked with her is kept whatever happens to the case.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    from_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_caseworker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=20, choices=TransferReason.choices, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Allocation {self.pk} of case {self.case_id}"

    @property
    def is_transfer(self) -> bool:
        return self.from_caseworker_id is not None


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"


class Goal(models.Model):
    """One goal of her support plan. The words are hers, so they are sealed; the status is counted."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    text_sealed = models.BinaryField()
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Goal {display(self.public_id)}"


class SafetyPlan(models.Model):
    """One revision of her safety plan. Each change adds a revision, so what was agreed and when is never lost;
    the unique revision number per case is what refuses the second of two simultaneous edits."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_plans")
    revision = models.PositiveIntegerField()
    plan_sealed = models.BinaryField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-revision"]
        constraints = [models.UniqueConstraint(fields=["case", "revision"], name="safety_plan_revision_unique")]

    def __str__(self) -> str:
        return f"Safety plan {self.case_id}.{self.revision}"


class ContactKind(models.TextChoices):
    """How the contact was made: the first four are the ways she says are safe or not (her safe-contact answers)."""

    CALL = "call", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    VOICEMAIL = "voicemail", "Voicemail message left"
    FACE_TO_FACE = "face_to_face", "Face to face"
    SESSION = "session", "Support session"
    ADVOCACY = "advocacy", "Advocacy action"


class Contact(models.Model):
    """A contact with her, or an action taken on her behalf. Kind, date and minutes are counted; the note is hers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    note_sealed = models.BinaryField(null=True, blank=True)
    # A way she said is not safe was used: counted in the clear (and audited); why, sealed under her key.
    unsafe_method = models.BooleanField(default=False, db_default=False)
    unsafe_reason_sealed = models.BinaryField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["case", "on"], name="contact_case_idx")]

    def __str__(self) -> str:
        return f"Contact {self.pk}"

    def clean(self) -> None:
        if self.minutes is not None and self.minutes > 24 * 60:
            raise ValidationError({"minutes": "A contact cannot last more than a day."})


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", "Identity document"
    COURT = "court", "Court order or legal paper"
    POLICE = "police", "Police record or crime reference"
    HOUSING = "housing", "Housing"
    MEDICAL = "medical", "Medical"
    IMMIGRATION = "immigration", "Immigration"
    FINANCIAL = "financial", "Benefits or money"
    OTHER = "other", "Something else"


class Document(models.Model):
    """A document noted, never stored: a file here would be one more copy for someone to find. What it is and where
    it is held are sealed (a title can name him; a location can say where she keeps things)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    dated = models.DateField(null=True, blank=True)
    details_sealed = models.BinaryField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Document {self.pk}"


class MeasureStage(models.TextChoices):
    START = "start", "At the start"
    CLOSURE = "closure", "At closure"


class AbuseChange(models.TextChoices):
    STOPPED = "stopped", "Stopped"
    REDUCED = "reduced", "Reduced"
    UNCHANGED = "unchanged", "Unchanged"
    WORSE = "worse", "Worse"


class NotAnswered(models.TextChoices):
    DECLINED = "declined", "She declined to answer"
    UNREACHABLE = "unreachable", "She could not be reached"


SCALE_MIN, SCALE_MAX = 1, 10
SCALES = ("feels_safe", "wellbeing", "quality_of_life", "confidence_help")


def _scale(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(null=True, blank=True, help_text=f"{label}, {SCALE_MIN} to {SCALE_MAX}.")


class OutcomeMeasure(models.Model):
    """Her answers at the start of support and at closure (DOMAIN.md "Outcome measures at intake and closure").

    The same questions both times, so change is closing minus starting for each scale. Either she answered every
    scale, or `not_answered` says why not: a blank measure must never pass for an answered one.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    stage = models.CharField(max_length=10, choices=MeasureStage.choices)
    not_answered = models.CharField(max_length=20, choices=NotAnswered.choices, blank=True)
    abuse = models.JSONField(default=dict, blank=True, help_text="Abuse type to stopped/reduced/unchanged/worse.")
    feels_safe = _scale("How safe she feels")
    wellbeing = _scale("Her wellbeing")
    quality_of_life = _scale("Her quality of life")
    confidence_help = _scale("How confident she is that she knows where to get help")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "stage"], name="outcome_one_per_stage")]

    def __str__(self) -> str:
        return f"Outcome measure {self.pk} ({self.stage})"

    @property
    def answered(self) -> bool:
        return not self.not_answered

    def clean(self) -> None:
        scores = {name: getattr(self, name) for name in SCALES}
        if self.not_answered:
            if any(v is not None for v in scores.values()) or self.abuse:
                raise ValidationError("Leave the answers blank when she did not answer.")
            return
        errors = {
            name: f"Give a score from {SCALE_MIN} to {SCALE_MAX}."
            for name, value in scores.items()
            if value is None or not SCALE_MIN <= value <= SCALE_MAX
        }
        if errors:
            raise ValidationError(errors)
        if not isinstance(self.abuse, dict) or any(
            k not in AbuseType.values or v not in AbuseChange.values for k, v in self.abuse.items()
        ):
            raise ValidationError({"abuse": "Each abuse type must be stopped, reduced, unchanged or worse."})

    def change_from(self, start: OutcomeMeasure | None) -> dict[str, int] | None:
        """Closing minus starting score per scale; None unless both were answered."""
        if start is None or not (self.answered and start.answered):
            return None
        return {name: getattr(self, name) - getattr(start, name) for name in SCALES}


class OnwardReferral(models.Model):
    """A case referred on to another service through the hub: how one survivor's support spans several services.

    Design: the onward referral is an ordinary Referral of the same survivor (the hub triages and routes it like any
    other, and the receiving service accepts it through its inbox), and this row links it to the case it came from.
    When a service accepts it, the new Case points at that referral, so the chain case -> onward referral -> case
    is followed without any change to how referrals and cases are made. A "journey" is the tree of cases joined by
    these links, rooted at the first case; it can branch when one case is referred on to two services at once.

    Onward referrals are continuity of support, not a survivor coming back: analysis of repeat referrals leaves them
    out (see commissioning.py). The note to the hub is sealed under her key.
    """

    from_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="onward_referrals")
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="onward_from")
    note_sealed = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Onward referral from case {self.from_case_id}"


class CaseReopening(models.Model):
    """A closed case reopened within 28 days (cases.closure): who, when, and why (sealed: it may name people)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reopenings")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason_sealed = models.BinaryField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Reopening {self.pk} of case {self.case_id}"


class ClosureRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a manager"
    CONFIRMED = "confirmed", "Confirmed"
    REFUSED = "refused", "Refused"


class ClosureRequest(models.Model):
    """A caseworker's closure of a case that needs a manager (cases.closure), waiting for the manager's answer.

    It holds everything the close form asked (the coded reason, her closing measures, the caseworker's reason for
    closing now) so the manager confirms the very closure that was asked for, and the case closes then. Measures are
    codes and scores, in the clear as OutcomeMeasure keeps them; the two free-text reasons are sealed under her key.
    One request waits per case at a time.
    """

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    status = models.CharField(max_length=10, choices=ClosureRequestStatus.choices, default=ClosureRequestStatus.PENDING)
    reason = models.CharField(max_length=20, choices=ClosureReason.choices)
    measures = models.JSONField(help_text="Her closing measures as the close form took them (cases.services.Measures).")
    concerns = models.JSONField(default=list, help_text="Why a manager must confirm, as the caseworker was told.")
    note_sealed = models.BinaryField(help_text="The caseworker's reason for closing now, sealed under her key.")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note_sealed = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="closure_request_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"Closure request {display(self.public_id)}"

    @property
    def is_pending(self) -> bool:
        return self.status == ClosureRequestStatus.PENDING
