"""Referrals: how a survivor reaches the hub, and where the hub sends her."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from carehub.accounts.models import Organisation
from carehub.directory.models import Service
from carehub.people.equality import AgeBand
from carehub.people.models import Survivor

# No vowels or look-alike characters, so a reference read over the phone cannot spell a word or be misheard.
REFERENCE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CH-{body[:4]}-{body[4:]}"


class Channel(models.TextChoices):
    SELF = "self", "Self-referral"
    PROFESSIONAL = "professional", "Professional referral"
    API = "api", "Agency system"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    IN_TRIAGE = "in_triage", "In triage"
    OFFERED = "offered", "Offered to a service"
    ACCEPTED = "accepted", "Accepted by a service"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RiskLevel(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class PolicePerpetrator(models.TextChoices):
    NO = "no", "No"
    SERVING = "serving", "Serving police officer"
    FORMER = "former", "Former police officer"
    STAFF = "staff", "Police staff"
    UNKNOWN = "unknown", "Not known"


class Referral(models.Model):
    reference = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="referrals")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    referring_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # Sealed: abuse by a serving or former police officer or police staff. Only the independent advisory
    # service sees it (policy.py); sealing is decided at intake and never undone.
    sealed = models.BooleanField(default=False)
    perpetrator_police = models.CharField(
        max_length=10, choices=PolicePerpetrator.choices, default=PolicePerpetrator.NO
    )
    perpetrator_relationship = models.CharField(max_length=40, blank=True)
    borough = models.CharField(max_length=9, blank=True, help_text="ONS code of the survivor's borough.")
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, blank=True)
    abuse_types = models.JSONField(default=list, blank=True)
    needs = models.JSONField(default=list, blank=True, help_text="Service types wanted.")
    wants_by_and_for = models.CharField(
        max_length=30, blank=True, help_text="Community of a by-and-for service wanted."
    )
    language = models.CharField(max_length=10, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    has_nrpf = models.BooleanField(default=False, help_text="No Recourse to Public Funds.")
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices, default=RiskLevel.NOT_ASSESSED)
    dash_score = models.PositiveSmallIntegerField(null=True, blank=True)
    marac = models.BooleanField(default=False)
    is_repeat = models.BooleanField(default=False)
    previous_referral = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    routed_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="routed_referrals"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    # Contact details and safe-contact instructions, sealed under the survivor's data key.
    contact_sealed = models.BinaryField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: two hub workers cannot both act.")

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The triage queue: unsealed referrals in a status, highest risk then longest waiting.
            models.Index(fields=["sealed", "status", "risk_level", "received_at"], name="referral_queue_idx"),
            models.Index(fields=["referring_organisation", "received_at"], name="referral_sender_idx"),
            models.Index(fields=["routed_service", "status"], name="referral_service_idx"),
            models.Index(fields=["received_at"], name="referral_received_idx"),
        ]

    def __str__(self) -> str:
        return self.reference
