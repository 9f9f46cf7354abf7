"""MARAC referrals: a high-risk woman's case taken to her borough's multi-agency risk assessment conference.

Layer: `marac` sits between `referrals` (below: a MARAC referral is made from a triaged referral) and `repeats`/
`cases` (above: a case cannot close quietly while MARAC actions are open, so cases reads this app). It is the only
writer of its own tables; it asks `referrals` to record a DASH, never writes a referral itself.

A MARAC record never names the perpetrator, and on the sealed pathway it names no officer and is seen by the
independent advisory service alone (`accounts/policy.py`). What an action asks agencies to do can name her or where
she lives, so its words are sealed under her data key like her goals; the owning agency and due date stay clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.core.public_ids import display, new_public_id
from carehub.people.models import Survivor
from carehub.referrals.models import Referral


class MaracOutcome(models.TextChoices):
    ACTIONS_AGREED = "actions_agreed", "Heard: actions agreed"
    NO_FURTHER_ACTION = "no_further_action", "Heard: no further multi-agency action"
    NOT_HEARD = "not_heard", "Not heard: referral withdrawn"
    TRANSFERRED = "transferred", "Transferred to another borough's MARAC"


class MaracReferral(models.Model):
    """One referral to one borough's MARAC. A repeat within 12 months of her last one is flagged when made."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="marac_referrals")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="marac_referrals")
    borough = models.CharField(
        max_length=9, blank=True, help_text="ONS code of the borough whose MARAC hears her case; blank until known."
    )
    sealed = models.BooleanField(default=False, help_text="Copied from the referral: the sealed pathway.")
    referred_on = models.DateField()
    criteria = models.JSONField(default=list, help_text="Which MARAC criteria were met (DASH reasons).")
    repeat = models.BooleanField(default=False, help_text="Within 12 months of her last MARAC referral.")
    meeting_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=MaracOutcome.choices, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["meeting_date", "referred_on", "public_id"]
        indexes = [models.Index(fields=["sealed", "borough", "meeting_date"], name="marac_list_idx")]
        constraints = [
            # One MARAC referral per intake referral: a second triage of the same referral does not refer her twice.
            models.UniqueConstraint(fields=["referral"], name="marac_one_per_referral"),
        ]

    def __str__(self) -> str:
        return f"MARAC referral {display(self.public_id)}"


class MaracAction(models.Model):
    """An action agreed at the MARAC: which agency owns it, by when, and whether it is done."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    marac = models.ForeignKey(MaracReferral, on_delete=models.CASCADE, related_name="actions")
    text_sealed = models.BinaryField()
    owner = models.CharField(max_length=200, help_text="The agency (or role) responsible.")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "created_at", "pk"]

    def __str__(self) -> str:
        return f"MARAC action {display(self.public_id)}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    # The audit trail finds her and the sealed flag from the record it is about.
    @property
    def survivor_id(self) -> int:
        return self.marac.survivor_id

    @property
    def sealed(self) -> bool:
        return self.marac.sealed
