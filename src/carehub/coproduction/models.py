"""Co-production: the plan's commitments and their equality impact, consultations of by-and-for and specialist
organisations ("you said, we did"), and survivors' own feedback on the support they got.

Commitments, consultations and points are about organisations and plans, never about a person. Survivors' feedback
is stored so that it cannot be linked back to her case: `FeedbackToken` holds a hash of the one-time link, the
service and the quarter, and nothing else (no case, no time finer than the quarter); her answers wait in
`FeedbackHeld`, the holding pool, until the daily flush moves them in batches and in a random order into
`FeedbackAnswer`, the only table reports read, so that neither a random key nor the rows' order says when she
answered (services.feedback_flush, which also says what is left). The only record that names a case,
`FeedbackOffer`, says that an offer was made at a moment of her support, and holds nothing that leads to the token
or the answers.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from carehub.accounts.models import Organisation
from carehub.core.public_ids import display, new_public_id
from carehub.directory.models import Service


def _public_id() -> models.CharField:
    return models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )


# --- commitments and their equality impact ------------------------------------------------------------------------


class CommitmentStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Commitment(models.Model):
    """One commitment of the plan, or a commissioning decision ("recommission counselling for 26 weeks")."""

    public_id = _public_id()
    title = models.CharField(max_length=200)
    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="The team or role answerable for it (never a survivor).")
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.PROPOSED)
    service_types = models.JSONField(default=list, blank=True, help_text="Service types it touches (codes).")
    populations = models.JSONField(default=list, blank=True, help_text="Communities it touches (codes).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return f"Commitment {display(self.public_id)}"


class Assessment(models.Model):
    """An equality impact assessment of a commitment: published equality runs as evidence, the assessor's sign-off,
    and the public sector equality duty's questions answered in words."""

    public_id = _public_id()
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField()
    impact = models.TextField(
        help_text="The impact on each protected and minoritised group, insecure immigration status included."
    )
    mitigation = models.TextField(help_text="What is done to remove or reduce a disadvantage.")
    monitoring = models.TextField(help_text="How the impact is monitored.")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_name = models.CharField(max_length=200, blank=True, help_text="The assessor, as she signed.")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"Assessment {display(self.public_id)}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class AssessmentRun(models.Model):
    """A published equality run as it stood when attached: published runs are replaced, the evidence must not be."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="runs")
    name = models.SlugField(max_length=60, help_text="The published run's name (equality selectors' PUBLISHED).")
    title = models.CharField(max_length=300)
    specification = models.CharField(max_length=200, blank=True)
    published_on = models.CharField(max_length=40, blank=True, help_text="When the run was published, as it says.")
    findings = models.JSONField(default=list, blank=True, help_text="The run's headline findings, in words.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Equality run {self.name}"


# --- consultations ----------------------------------------------------------------------------------------------


class Consultation(models.Model):
    public_id = _public_id()
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="consultations")
    question = models.TextField()
    documents = models.TextField(blank=True, help_text="Documents, as text or links, one a line.")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closes_on = models.DateField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at", "pk"]

    def __str__(self) -> str:
        return f"Consultation {display(self.public_id)}"


class Invitation(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    was_by_and_for = models.BooleanField(default=False, help_text="A by-and-for organisation when invited.")
    communities = models.JSONField(default=list, blank=True, help_text="Its communities when invited.")

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["consultation", "organisation"], name="invitation_once")]

    def __str__(self) -> str:
        return f"Invitation {self.pk}"


class Stance(models.TextChoices):
    SUPPORT = "support", "Support"
    SUPPORT_WITH_CHANGES = "support_with_changes", "Support with changes"
    OPPOSE = "oppose", "Oppose"


class Response(models.Model):
    """An invited organisation's answer. In confidence: the commissioner alone reads it; openly: the other invited
    organisations too, and its points appear on the public page (accounts.policy decides, nowhere else)."""

    public_id = _public_id()
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    stance = models.CharField(max_length=30, choices=Stance.choices)
    in_confidence = models.BooleanField(default=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["invitation__organisation__name"]

    def __str__(self) -> str:
        return f"Response {display(self.public_id)}"


class Decision(models.TextChoices):
    ADOPTED = "adopted", "Adopted"
    ADOPTED_IN_PART = "adopted_in_part", "Adopted in part"
    NOT_ADOPTED = "not_adopted", "Not adopted"


class Point(models.Model):
    public_id = _public_id()
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="points")
    text = models.TextField()
    evidence = models.TextField(blank=True)
    communities = models.JSONField(default=list, blank=True, help_text="Communities it speaks for (codes).")
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Point {display(self.public_id)}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DELAYED = "delayed", "Delayed"


class CommitmentAction(models.Model):
    """What the commissioner does about a commitment, often because of points made: "we did"."""

    public_id = _public_id()
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="actions")
    points = models.ManyToManyField(Point, blank=True, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Action {display(self.public_id)}"


class ActionUpdate(models.Model):
    """One step of an action's timeline: the status and progress it reached, and a note."""

    action = models.ForeignKey(CommitmentAction, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    progress = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Action update {self.pk}"


# --- survivors' voice -------------------------------------------------------------------------------------------


class FeedbackMoment(models.TextChoices):
    CLOSURE = "closure", "When her case closed"
    TWELVE_WEEKS = "twelve_weeks", "At 12 weeks of support"


class FeedbackOffer(models.Model):
    """That an offer was made to the woman of a case at one moment (so it is made once): no token, no answer."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    moment = models.CharField(max_length=20, choices=FeedbackMoment.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "moment"], name="feedback_offer_once")]

    def __str__(self) -> str:
        return "Feedback offer"


def _random_key() -> str:
    return uuid.uuid4().hex


class FeedbackToken(models.Model):
    """A one-time feedback link, by its hash: the service and the quarter only. Deleted when used."""

    token_hash = models.CharField(max_length=64, primary_key=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField(max_length=7, help_text="e.g. 2026-Q4")

    def __str__(self) -> str:
        return "Feedback link"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class _FeedbackFields(models.Model):
    """Her answers, and the service and quarter she was offered the link in: nothing that names her or her case."""

    key = models.CharField(max_length=32, primary_key=True, default=_random_key, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField(max_length=7)
    felt_believed = models.CharField(max_length=10, choices=Answer.choices)
    felt_safe = models.CharField(max_length=10, choices=Answer.choices)
    culture_fit = models.CharField(max_length=10, choices=Answer.choices)
    knew_rights = models.CharField(max_length=10, choices=Answer.choices)
    would_recommend = models.CharField(max_length=10, choices=Answer.choices)
    open_text = models.TextField(blank=True)
    # The equality questions of the questionnaire itself: each optional, "" when she did not say.
    ethnic_group = models.CharField(max_length=30, blank=True)
    disabled = models.CharField(max_length=10, blank=True)
    sexual_orientation = models.CharField(max_length=30, blank=True)
    age_band = models.CharField(max_length=20, blank=True)

    ANSWER_FIELDS = (
        "service_id", "quarter", "felt_believed", "felt_safe", "culture_fit", "knew_rights", "would_recommend",
        "open_text", "ethnic_group", "disabled", "sexual_orientation", "age_band",
    )  # fmt: skip

    class Meta:
        abstract = True


class FeedbackHeld(_FeedbackFields):
    """Her answers while they wait to be reported: the holding pool (see services.feedback_flush).

    Rows here are written one by one as women answer, so their physical order (SQLite's rowid, PostgreSQL's heap)
    follows the order of answering. They stay only until a batch of at least FEEDBACK_BATCH answers of a service
    and quarter is waiting, or the quarter in which they were given (`held_in`) has ended; the flush then moves them
    into `FeedbackAnswer` in a random order and deletes them here. Reports never read this table.
    """

    held_in = models.CharField(max_length=7, help_text="The quarter she answered in: when her answer must move on.")

    def __str__(self) -> str:
        return "Feedback answer, held"


class FeedbackAnswer(_FeedbackFields):
    """Her answers, as reported: written only by the flush, a batch at a time in a random order, so that neither the
    rows' order nor their transaction says which answer came when (see services.feedback_flush)."""

    def __str__(self) -> str:
        return "Feedback answer"
