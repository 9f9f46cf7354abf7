"""The independent advisory service's own records about a sealed case: what she decides about reporting, the
complaint she is supported through and its outcome, and every disclosure with the consent behind it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.cases.models import Case
from carehub.core.public_ids import display, new_public_id


class ReportingDecision(models.TextChoices):
    UNDECIDED = "undecided", "Not decided yet"
    PROFESSIONAL_STANDARDS = "professional_standards", "Report to the force's professional standards department"
    WATCHDOG = "watchdog", "Report to the police watchdog (IOPC)"
    ANOTHER_FORCE = "another_force", "Report to another police force"
    CRIMINAL = "criminal", "Make a criminal report"
    NONE = "none", "Not to report"


class ComplaintOutcome(models.TextChoices):
    ONGOING = "ongoing", "Ongoing"
    MISCONDUCT = "misconduct", "Misconduct found"
    DISMISSAL = "dismissal", "Officer dismissed"
    PROSECUTION = "prosecution", "Prosecution"
    NO_ACTION = "no_action", "No action taken"


class Decision(models.Model):
    """One reporting decision as she made it. A change of mind is a new row, so the history stays."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporting_decisions")
    decision = models.CharField(max_length=30, choices=ReportingDecision.choices)
    decided_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_on", "pk"]

    def __str__(self) -> str:
        return f"Decision {self.pk}"


class Complaint(models.Model):
    """A complaint or report she is supported through, and how it ended."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="complaints")
    made_to = models.CharField(max_length=30, choices=ReportingDecision.choices)
    made_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=ComplaintOutcome.choices, default=ComplaintOutcome.ONGOING)
    outcome_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # When each fact was written down, as opposed to the dates she gives for it: the published accountability report
    # counts only what had been recorded before a quarter closed, so a complaint or an outcome entered today with an
    # earlier date never changes a quarter that is already published. Null on rows recorded before these fields.
    recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["made_on", "pk"]

    def __str__(self) -> str:
        return f"Complaint {display(self.public_id)}"


class Disclosure(models.Model):
    """Information shared outside the service. Her consent governs it: no consent, no disclosure."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    what_sealed = models.BinaryField(help_text="What was shared, sealed under her key.")
    consent_given = models.BooleanField()
    consent_recorded_on = models.DateField()
    disclosed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["disclosed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(consent_given=True), name="disclosure_needs_consent"),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk}"
