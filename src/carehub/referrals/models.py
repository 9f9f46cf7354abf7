"""Referrals: how a survivor reaches the hub, and where the hub sends her."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from carehub.accounts.models import Organisation
from carehub.core.public_ids import display, new_public_id
from carehub.directory.models import Service
from carehub.people.models import Survivor
from carehub.people.monitoring import AgeBand

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


# The triage queue's order: high risk first, then not yet assessed, then medium, then the rest. One expression, used
# by the queue (selectors.triage_queue) and by the index that answers it, so PostgreSQL can read the first page of a
# long queue straight from the index instead of sorting every waiting referral.
RISK_ORDER = models.Case(
    models.When(risk_level=RiskLevel.HIGH, then=models.Value(0)),
    models.When(risk_level=RiskLevel.NOT_ASSESSED, then=models.Value(1)),
    models.When(risk_level=RiskLevel.MEDIUM, then=models.Value(2)),
    default=models.Value(3),
    output_field=models.IntegerField(),
)


class PolicePerpetrator(models.TextChoices):
    NO = "no", "No"
    SERVING = "serving", "Serving police officer"
    FORMER = "former", "Former police officer"
    STAFF = "staff", "Police staff"
    UNKNOWN = "unknown", "Not known"


class PerpetratorRelationship(models.TextChoices):
    """Who is hurting her: the web forms and the API offer the same choices."""

    PARTNER = "partner", "Partner or husband"
    EX_PARTNER = "ex_partner", "Ex-partner"
    FAMILY = "family", "Family member"
    ACQUAINTANCE = "acquaintance", "Someone she knows"
    STRANGER = "stranger", "A stranger"
    OTHER = "other", "Someone else"


class ChildrensServicesAware(models.TextChoices):
    YES = "yes", "Yes, children's services know"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


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
    # Added for intake and triage; db_default so that bulk loaders that name their columns still get a value.
    age_at_referral = models.PositiveSmallIntegerField(null=True, blank=True)
    worker_gender = models.CharField(max_length=20, blank=True, db_default="", default="")
    marac_repeat = models.BooleanField(db_default=False, default=False)
    idempotency_key = models.CharField(max_length=100, blank=True, db_default="", default="")
    request_fingerprint = models.CharField(max_length=64, blank=True, db_default="", default="")
    # From the agency form (issue 12): the sender's own reference (a police CAD or CRIS number), the children in her
    # household, and the sender's account of what happened (sealed under her key like every other free text).
    agency_reference = models.CharField(max_length=50, blank=True, db_default="", default="")
    children_count = models.PositiveSmallIntegerField(null=True, blank=True)
    children_ages = models.CharField(max_length=100, blank=True, db_default="", default="")
    childrens_services_aware = models.CharField(
        max_length=10, choices=ChildrensServicesAware.choices, blank=True, db_default="", default=""
    )
    summary_sealed = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The triage queue: unsealed referrals in a status, highest risk then longest waiting.
            models.Index(fields=["sealed", "status", "risk_level", "received_at"], name="referral_queue_idx"),
            models.Index(fields=["referring_organisation", "received_at"], name="referral_sender_idx"),
            models.Index(fields=["routed_service", "status"], name="referral_service_idx"),
            models.Index(fields=["received_at"], name="referral_received_idx"),
            # The waiting set is small however large the table: a partial index finds it without a scan.
            # Its order is the queue's keyset (risk, waited since, reference): any page is a range read of it.
            models.Index(
                RISK_ORDER,
                models.F("received_at"),
                models.F("reference"),
                condition=models.Q(sealed=False, status__in=["received", "in_triage"]),
                name="referral_triage_keyset_idx",
            ),
            models.Index(
                fields=["received_at"],
                condition=models.Q(sealed=False, status__in=["received", "in_triage"]),
                name="referral_waiting_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referring_organisation", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="referral_idempotency_unique",
            ),
            # Self-referrals have no organisation, and NULLs never clash in a unique index: a constraint of their own.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=models.Q(referring_organisation__isnull=True) & ~models.Q(idempotency_key=""),
                name="referral_self_idempotency_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class WorkerGender(models.TextChoices):
    WOMAN = "woman", "A woman"
    MAN = "man", "A man"
    NO_PREFERENCE = "no_preference", "No preference"


class ReferralEvent(models.Model):
    """Every change of a referral's state, with who and when. Never updated: a new row per change."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status or 'new'} -> {self.to_status}"


class RecipientKind(models.TextChoices):
    """Kinds of organisation she may agree to share with: those that receive referrals, never funders or police."""

    SPECIALIST = "specialist", "Specialist domestic abuse and sexual violence services"
    BY_AND_FOR = "by_and_for", "Services led by and for her community"
    IDVA = "idva", "IDVA (independent domestic violence advocate) services"
    HEALTH = "health", "Health services"
    CHILDREN = "children", "Children's services"
    HOUSING = "housing", "Housing services"


class ConsentKind(models.TextChoices):
    REFERRAL = "referral", "Consent to the referral"
    SHARING = "sharing", "Consent to share information"


class Consent(models.Model):
    """A survivor's consent, as given or revoked. Changes add rows; nothing is overwritten, so history is kept."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    recipient = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_kind = models.CharField(
        max_length=20,
        choices=RecipientKind.choices,
        blank=True,
        db_default="",
        default="",
        help_text="A kind of organisation, when she agreed to share with every one of that kind.",
    )
    given = models.BooleanField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Why a consent was withdrawn, as the worker recorded it: free text that may name people, so sealed under her key.
    reason_sealed = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'given' if self.given else 'not given'}"


class DashAssessment(models.Model):
    """One completed SafeLives DASH checklist with the MARAC decision it led to."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="dash_assessments")
    answers = models.JSONField(help_text="Question number (1-24) to 'yes', 'no' or 'dont_know'.")
    fears_sealed = models.BinaryField(null=True, blank=True, help_text="Q3 free text, sealed under her key.")
    score = models.PositiveSmallIntegerField()
    professional_judgement = models.BooleanField(default=False)
    professional_judgement_reason = models.TextField(blank=True)
    police_callouts_12_months = models.PositiveSmallIntegerField(default=0)
    high_risk = models.BooleanField()
    high_risk_reasons = models.JSONField(default=list)
    marac_referral = models.BooleanField()
    marac_repeat = models.BooleanField(default=False)
    rules_version = models.CharField(max_length=40)
    assessed_at = models.DateTimeField()
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-assessed_at"]
        indexes = [models.Index(fields=["referral", "assessed_at"], name="dash_referral_idx")]

    def __str__(self) -> str:
        return f"DASH {self.score} for {self.referral_id}"


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the service"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn by the hub"


class DeclineReason(models.TextChoices):
    """Why a service could not take a referral, coded so commissioners can count unmet need by cause."""

    NO_CAPACITY = "no_capacity", "No capacity (waiting list or caseloads full)"
    OUTSIDE_ELIGIBILITY = "outside_eligibility", "Outside the service's eligibility"
    NRPF_NOT_ACCEPTED = "nrpf_not_accepted", "No recourse to public funds not accepted"
    LANGUAGE_NOT_AVAILABLE = "language_not_available", "Her language is not available"
    SURVIVOR_DECLINED = "survivor_declined", "She declined the service"
    COULD_NOT_CONTACT = "could_not_contact", "Could not contact her"
    OTHER = "other", "Another reason"


class Offer(models.Model):
    """The hub offering a referral to one service, with the ranking that informed the choice."""

    public_id = models.CharField(
        max_length=12, unique=True, default=new_public_id, editable=False, help_text="Shown to people (never the key)."
    )
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="offers")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    rank = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Where routing ranked this service.")
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="Why routing placed the service where it did.")
    hub_reason = models.TextField(blank=True, help_text="The hub worker's reason for the choice.")
    offered_at = models.DateTimeField()
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(max_length=30, choices=DeclineReason.choices, blank=True)
    decline_detail = models.TextField(blank=True, help_text="The service's own words (required for 'other').")

    class Meta:
        ordering = ["-offered_at"]
        indexes = [
            models.Index(fields=["service", "status"], name="offer_service_idx"),
            # A service's inbox: its pending offers in the order they waited (risk, the referral's, is sorted after).
            models.Index(
                fields=["service", "offered_at", "public_id"],
                condition=models.Q(status="pending"),
                name="offer_pending_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=models.Q(status="pending"), name="offer_one_pending_per_referral"
            ),
        ]

    def __str__(self) -> str:
        return f"Offer {display(self.public_id)}"
