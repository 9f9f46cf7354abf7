"""Support episodes: a survivor's case at one service."""

from __future__ import annotations

from django.conf import settings
from django.db import models

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
    TRANSFERRED = "transferred", "Transferred to another service"
    SURVIVOR_CHOICE = "survivor_choice", "Survivor's choice"
    OTHER = "other", "Other"


class Case(models.Model):
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

    class Meta:
        ordering = ["-accepted_at"]
        indexes = [
            models.Index(fields=["service", "status"], name="case_service_idx"),
            models.Index(fields=["caseworker", "status"], name="case_caseworker_idx"),
            models.Index(fields=["survivor", "closed_at"], name="case_survivor_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    @property
    def support_weeks(self) -> float | None:
        if not (self.opened_at and self.closed_at):
            return None
        return (self.closed_at - self.opened_at).days / 7
