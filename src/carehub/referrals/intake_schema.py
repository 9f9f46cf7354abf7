"""The shape of a referral sent by an agency system, validated before anything is stored.

Enumerations are the same TextChoices the forms use, so an unknown category is refused with the list of allowed
values rather than stored as free text.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator, model_validator

from carehub.core.choices import AbuseType, Community, Language, ServiceType
from carehub.core.london import BOROUGHS
from carehub.people.equality import (
    Disability,
    Ethnicity,
    GenderIdentity,
    GenderSameAsSex,
    ImmigrationStatus,
    PregnancyMaternity,
    Religion,
    Sex,
    SexualOrientation,
    ethnicity_from_police_code,
)
from carehub.referrals.models import PolicePerpetrator, WorkerGender


class SurvivorIn(Schema):
    given_name: str = Field("", max_length=100)
    family_name: str = Field("", max_length=100)
    known_as: str = Field("", max_length=100)
    date_of_birth: dt.date | None = None
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=500)
    postcode: str = Field("", max_length=10)

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth_date(cls, value: dt.date | None) -> dt.date | None:
        if value is None:
            return value
        if value > timezone.localdate():
            raise ValueError("the date of birth cannot be in the future")
        if value.year < 1900:
            raise ValueError("the date of birth must be after 1900")
        return value

    @model_validator(mode="after")
    def _someone_to_contact(self) -> SurvivorIn:
        if not (self.given_name or self.family_name or self.known_as):
            raise ValueError("give at least one of given_name, family_name or known_as")
        return self


class EqualityIn(Schema):
    """Every answer is optional, and each allows "prefer_not_to_say"."""

    ethnicity: Ethnicity | None = None
    police_ethnicity_code: str | None = Field(None, description="Police self-defined code (A1 ... O9, NS).")
    sex: Sex | None = None
    gender_same_as_sex: GenderSameAsSex | None = None
    gender_identity: GenderIdentity | None = None
    sexual_orientation: SexualOrientation | None = None
    disability: Disability | None = None
    religion: Religion | None = None
    pregnancy: PregnancyMaternity | None = None
    first_language: Language | None = None
    interpreter_needed: bool | None = None
    immigration_status: ImmigrationStatus | None = None

    @field_validator("police_ethnicity_code")
    @classmethod
    def _known_police_code(cls, value: str | None) -> str | None:
        if value is not None:
            ethnicity_from_police_code(value)  # raises ValueError naming the unknown code
        return value

    def as_fields(self) -> dict:
        data = {k: (v.value if hasattr(v, "value") else v) for k, v in self.model_dump().items() if v is not None}
        code = data.pop("police_ethnicity_code", None)
        if code is not None and "ethnicity" not in data:
            mapped = ethnicity_from_police_code(code)
            if mapped:
                data["ethnicity"] = mapped
        return data


class SafeContactIn(Schema):
    phone_ok: bool = False
    text_ok: bool = False
    email_ok: bool = False
    voicemail_ok: bool = False
    safe_times: str = Field("", max_length=200)
    safe_word: str = Field("", max_length=50)
    notes: str = Field("", max_length=1000)


class SharingIn(Schema):
    organisation: str = Field(..., max_length=60, description="Slug of the organisation information may go to.")
    expires_on: dt.date | None = None


class ConsentIn(Schema):
    referral: bool = Field(..., description="The survivor agrees to this referral. Must be true.")
    share_with: list[SharingIn] = Field(default_factory=list, max_length=20)

    @field_validator("referral")
    @classmethod
    def _must_agree(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the survivor must agree to the referral before it is sent")
        return value


class ReferrerIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    role: str = Field("", max_length=200)
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)


class ReferralIn(Schema):
    survivor: SurvivorIn
    borough: str = Field("", description="ONS code of her London borough (E09000001-E09000033), or blank.")
    abuse_types: list[AbuseType] = Field(default_factory=list, max_length=20)
    needs: list[ServiceType] = Field(default_factory=list, max_length=10)
    wants_by_and_for: Community | None = None
    language: Language | None = None
    interpreter_needed: bool = False
    has_nrpf: bool = False
    worker_gender: WorkerGender | None = None
    perpetrator_relationship: str = Field("", max_length=40)
    perpetrator_police: PolicePerpetrator = PolicePerpetrator.NO
    equality: EqualityIn = Field(default_factory=EqualityIn)
    safe_contact: SafeContactIn = Field(default_factory=SafeContactIn)
    consent: ConsentIn
    referrer: ReferrerIn

    @field_validator("borough")
    @classmethod
    def _london_borough(cls, value: str) -> str:
        if value and value not in BOROUGHS:
            raise ValueError("must be the ONS code of a London borough, E09000001 to E09000033, or blank")
        return value

    @field_validator("needs")
    @classmethod
    def _routable_needs(cls, value: list[ServiceType]) -> list[ServiceType]:
        if ServiceType.INDEPENDENT_ADVISORY in value:
            raise ValueError(
                "independent_advisory is chosen by Care Hub itself when perpetrator_police names a police perpetrator"
            )
        return value


class ReferralCreatedOut(Schema):
    reference: str
    status: str
