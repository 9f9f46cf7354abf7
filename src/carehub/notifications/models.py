"""Notifications: what needs a user's attention, told inside Care Hub and, if she opts in, by e-mail.

The text never names a survivor or says anything about her: only what happened, to which service, and a link to
the record, which the policy then decides whether she may open. An e-mail can be read over a shoulder or forwarded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.core.public_ids import new_public_id


class Kind(models.TextChoices):
    OFFER_ARRIVED = "offer_arrived", "An offer arrived"
    OFFER_DECLINED = "offer_declined", "An offer was declined"
    EARLIER_REFERRAL = "earlier_referral", "A possible earlier referral awaits a decision"
    NO_CONTACT = "no_contact", "No contact for a while"
    MARAC_DATE = "marac_date", "A MARAC date approaches"
    BREAK_GLASS = "break_glass", "Break-glass access used"
    MEMBERSHIP_PENDING = "membership_pending", "A role in the independent service awaits confirmation"
    FEEDBACK_DUE = "feedback_due", "A case has reached 12 weeks: feedback may be offered"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=500)
    link = models.CharField(max_length=200, blank=True, help_text="A path inside Care Hub, never with personal data.")
    # One notification per event per user, however often the event is seen (a sweep runs every day).
    event_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_unread_idx")]
        constraints = [models.UniqueConstraint(fields=["recipient", "event_key"], name="notify_once_per_event")]

    def __str__(self) -> str:
        return f"Notification {self.pk}"


class Preference(models.Model):
    """Per user: whether to be e-mailed as well. Off until she chooses it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True)
    email = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Notification preference of user {self.user_id}"
