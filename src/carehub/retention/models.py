"""Legal holds on survivors, and the reports of retention runs.

A legal hold stops retention and erasure of one survivor's records (a court order, a domestic homicide review, a
complaint under investigation). It is never deleted: lifting it is recorded on the same row (who, when, why), and
the audit trail has both. A retention run's report holds counts only: no survivor, referral or case is named, so
the report can be shown and kept beside the records it describes without becoming personal data itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.core.public_ids import display, new_public_id
from carehub.people.models import Survivor


class LegalHold(models.Model):
    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="legal_holds")
    # Copied from her referrals when the hold is placed: who may see and lift it (the sealed pathway's holds are the
    # independent service's alone), and which audit chain records it.
    sealed = models.BooleanField(default=False)
    reason = models.TextField(help_text="Why her records must be kept: the order, review or claim, never her name.")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "pk"]
        indexes = [models.Index(fields=["survivor", "lifted_at"], name="legalhold_survivor_idx")]

    def __str__(self) -> str:
        return f"Legal hold {display(self.public_id)}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class RunMode(models.TextChoices):
    DRY_RUN = "dry_run", "Dry run: listed, nothing changed"
    APPLIED = "applied", "Applied: records erased"


class RetentionRun(models.Model):
    """One run of the retention schedule: when, in which mode, and how many records each rule reached.

    `counts` is the hub's; `sealed_counts` the sealed pathway's, kept apart so that nothing the hub can see moves
    when a sealed record reaches its date.
    """

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    mode = models.CharField(max_length=10, choices=RunMode.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField(
        help_text="The day the schedule was applied for: a record is due when its date is on or before it."
    )
    counts = models.JSONField(default=dict)
    sealed_counts = models.JSONField(default=dict)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "pk"]

    def __str__(self) -> str:
        return f"Retention run {display(self.public_id)} ({self.mode})"
