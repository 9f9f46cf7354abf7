"""The directory of services the hub can route to, and the contracts that fund them."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from carehub.accounts.models import Organisation
from carehub.core.choices import ServiceType


class Service(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    service_type = models.CharField(max_length=30, choices=ServiceType.choices)
    description = models.TextField(blank=True)
    specialisms = models.JSONField(default=list, blank=True, help_text="Abuse types the service specialises in.")
    languages = models.JSONField(default=list, blank=True, help_text="Languages spoken by staff (codes).")
    covers_all_london = models.BooleanField(default=False)
    boroughs = models.JSONField(default=list, blank=True, help_text="ONS codes of the boroughs covered.")
    min_age = models.PositiveSmallIntegerField(default=16)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    accepts_women = models.BooleanField(default=True)
    accepts_men = models.BooleanField(default=False)
    accepts_nrpf = models.BooleanField(default=True, help_text="Accepts survivors with No Recourse to Public Funds.")
    capacity = models.PositiveIntegerField(default=0, help_text="Open cases the service can hold at once.")
    # Kept by the service's managers beside `capacity`, so commissioning can set caseload against staffing. Blank
    # means "not recorded", never zero: a service with no figure must not look like one with no caseworkers.
    caseworker_fte = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), message="The number of caseworkers cannot be less than 0."),
            MaxValueValidator(Decimal("500"), message="The number of caseworkers must be 500 or fewer."),
        ],
        help_text="Full-time equivalent caseworkers, e.g. 2.5",
    )
    current_wait_days = models.PositiveIntegerField(default=0)
    accepting_referrals = models.BooleanField(default=True)
    # Routing ranks services that hold high-risk cases first for a woman at high risk: IDVA services always, and any
    # other service whose workers hold high-risk cases and represent them at MARAC (a refuge or outreach team with
    # its own advocates). db_default, so bulk loaders that name their columns (the demo seed) still get a value.
    marac_linked = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Holds high-risk cases and represents them at MARAC (IDVA services always count as such).",
    )
    # Confidential: a refuge's address is shown only to its own organisation (see policy.service_address_visible).
    address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["service_type", "accepting_referrals"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_refuge(self) -> bool:
        return self.service_type == ServiceType.REFUGE

    @property
    def is_by_and_for(self) -> bool:
        return self.organisation.kind == Organisation.Kind.BY_AND_FOR

    def covers(self, borough: str) -> bool:
        return self.covers_all_london or borough in self.boroughs


class Contract(models.Model):
    """A commissioning contract. Support length matters: the mission asks for longer than 12 weeks."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contracts")
    funder = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField()
    support_weeks = models.PositiveSmallIntegerField(help_text="Commissioned length of support per survivor, weeks.")
    annual_value_pence = models.PositiveBigIntegerField(help_text="Annual value in pence.")

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="contract_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.service} ({self.start:%Y}-{self.end:%Y})"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The contract must end after it starts."})

    @property
    def annual_value_pounds(self) -> float:
        return self.annual_value_pence / 100
