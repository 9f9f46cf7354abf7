"""Her rights over her data (UK GDPR): subject access requests and erasure requests, tracked from receipt to answer.

A request names her by key and the organisation answering it (each organisation answers for its own records); pages,
URLs and the audit trail name the request by its public identifier. Everything personal a request carries (the
reviewer's redactions, the released pack, free-text reasons) is sealed under her own data key, so erasing her erases
it too and a copy of the database shows nothing of her. Dates, statuses and coded reasons stay in the clear: they
are what the organisation answers for ("was it answered within the month?").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.accounts.models import Organisation
from carehub.core.public_ids import display, new_public_id
from carehub.people.models import Survivor

# One calendar month to answer, extendable by up to two further months for a complex request (UK GDPR art. 12(3)).
MAX_EXTENSION_MONTHS = 2


class AccessStatus(models.TextChoices):
    OPEN = "open", "Being prepared"
    RELEASED = "released", "Released"


class SubjectAccessRequest(models.Model):
    """ "What do you hold about me?": one request, answered by one organisation from its own records."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Copied from her referrals when opened: a sealed survivor's request, and its events, stay in the sealed pathway.
    sealed = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=AccessStatus.choices, default=AccessStatus.OPEN)
    received_on = models.DateField()
    due_on = models.DateField(help_text="One calendar month after receipt, plus any extension.")
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason_sealed = models.BinaryField(null=True, blank=True)
    # The organisation's choice for this request: whether its staff's names are left out of the pack.
    redact_staff_names = models.BooleanField(default=False)
    # The reviewer's marks (passages of text, whole items), sealed: a passage is her words or someone else's name.
    redactions_sealed = models.BinaryField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The pack as released, sealed: what she was given is what every later download gives, whatever changes after.
    pack_sealed = models.BinaryField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organisation", "status", "due_on"], name="sar_org_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extension_months__lte=MAX_EXTENSION_MONTHS), name="sar_extension_at_most_two"
            )
        ]

    def __str__(self) -> str:
        return f"Subject access request {display(self.public_id)}"

    @property
    def is_released(self) -> bool:
        return self.status == AccessStatus.RELEASED


class ErasureStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved, not yet carried out"
    REFUSED = "refused", "Refused"
    CARRIED_OUT = "carried_out", "Carried out"


class ErasureGround(models.TextChoices):
    """Why an erasure is approved or refused: coded, so the reason goes on the audit trail without anyone's words."""

    NO_LONGER_NEEDED = "no_longer_needed", "Approved: the records are no longer needed for their purpose"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Approved: she withdrew the consent they rested on"
    OBJECTION_UPHELD = "objection_upheld", "Approved: her objection outweighs the reason to keep them"
    SAFEGUARDING = "safeguarding", "Refused: needed to safeguard her or children"
    LEGAL_CLAIMS = "legal_claims", "Refused: needed for legal claims or proceedings"
    LEGAL_OBLIGATION = "legal_obligation", "Refused: a legal obligation to keep them"


APPROVING_GROUNDS = frozenset(
    {ErasureGround.NO_LONGER_NEEDED, ErasureGround.CONSENT_WITHDRAWN, ErasureGround.OBJECTION_UPHELD}
)


class ErasureRequest(models.Model):
    """Her request to be erased, the decision on it with its ground, and when the erasure was carried out."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sealed = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ErasureStatus.choices, default=ErasureStatus.PENDING)
    received_on = models.DateField()
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ground = models.CharField(max_length=20, choices=ErasureGround.choices, blank=True)
    # The decider's own explanation, if any: free text, so sealed (and erased with her).
    explanation_sealed = models.BinaryField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    carried_out_at = models.DateTimeField(null=True, blank=True)
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survivor"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="erasure_one_open_per_survivor",
            )
        ]

    def __str__(self) -> str:
        return f"Erasure request {display(self.public_id)}"
