"""Organisations, users and memberships. What a membership allows is decided in policy.py, nowhere else."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from carehub.core.choices import Community, Role  # Role: every layer names roles, so it lives in core


class Organisation(models.Model):
    class Kind(models.TextChoices):
        HUB = "hub", "Victim Care Hub"
        SPECIALIST = "specialist", "Specialist VAWG provider"
        BY_AND_FOR = "by_and_for", "'Led by and for' provider"
        POLICE = "police", "Police force"
        HEALTH = "health", "Health"
        SOCIAL_CARE = "social_care", "Social care"
        OTHER_AGENCY = "other_agency", "Other agency"
        INDEPENDENT_ADVISORY = "independent_advisory", "Independent advisory service"
        COMMISSIONER = "commissioner", "Commissioner"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # For a 'led by and for' provider: the communities it is led by and serves.
    led_by_and_for = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.kind == self.Kind.POLICE

    @property
    def is_independent_advisory(self) -> bool:
        return self.kind == self.Kind.INDEPENDENT_ADVISORY

    @property
    def provides_services(self) -> bool:
        return self.kind in {self.Kind.SPECIALIST, self.Kind.BY_AND_FOR, self.Kind.INDEPENDENT_ADVISORY}

    def community_labels(self) -> list[str]:
        return [Community(c).label for c in self.led_by_and_for if c in Community.values]


class User(AbstractUser):
    """A person who signs in. Survivors do not sign in: they refer themselves anonymously at /refer/."""

    full_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Four eyes on the sealed pathway: a role given (or changed, or restored) in the independent advisory service's
    # organisation waits, inactive, until one of that service's own managers confirms it; not the administrator who
    # gave it, nor its holder (accounts.services.membership_decide; who may decide is accounts.policy's to say).
    awaiting_confirmation = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=~models.Q(awaiting_confirmation=True, is_active=True), name="membership_pending_inactive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.organisation}"

    @property
    def can_allocate(self) -> bool:
        return self.role == Role.SERVICE_MANAGER

    @property
    def can_audit(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def can_administer(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def sees_aggregates(self) -> bool:
        return self.role == Role.COMMISSIONER


class ApiKey(models.Model):
    """An organisation's key for the JSON API. Only a hash is stored: the key is shown once, when created.

    Keys carry 256 bits of randomness, so a fast hash (SHA-256) is as safe as a slow one and keeps each request cheap.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True, help_text="Public part, to find the key and name it in logs.")
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API key {self.prefix} ({self.organisation})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BreakGlassGrant(models.Model):
    """An administrator's one-hour access to one referral's records, given only with a stated reason.

    Creating one is audited and tells the independent advisory service's managers at once when the record is sealed.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="break_glass_grants")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="breakglass_user_idx")]

    def __str__(self) -> str:
        return f"Break-glass {self.pk}"


class Invitation(models.Model):
    """A one-time link that lets a new user choose a password, then set up her second factor.

    Only a hash of the token is stored, as for API keys: a copy of the database (a backup, a support snapshot) must not
    let anyone take over an account that has not been claimed yet. A link works once and until `expires_at`.

    The request that invites only writes this row and queues its delivery (accounts.tasks.invitation_deliver, with the
    row's id alone): the worker mints the token, stores its hash and e-mails the link, so the secret never sits in the
    task table, and exists only in the worker's memory and in the e-mail. Until then `token_hash` is empty.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # When the worker minted the token and e-mailed the link: at most once per invitation (see invitation_deliver).
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation {self.pk}"
