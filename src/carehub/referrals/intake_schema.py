"""The shape of a referral sent by an agency system, validated before anything is stored.

Strict on purpose: a field Care Hub does not know is refused, never dropped (a misspelt `perpetrator_police` would
otherwise send a police-perpetrated referral to the hub's ordinary queue); booleans must be true or false, sections
must be objects, dates must be written as YYYY-MM-DD, text is stripped before required-ness is checked, and no text
may hold a NUL character. Enumerations are the same TextChoices the forms use, so an unknown category is refused
with the list of allowed values rather than stored as free text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from carehub.core.choices import AbuseType, Community, Language, ServiceType
from carehub.core.jsonbody import NO_NUL_PATTERN
from carehub.core.london import BOROUGHS
from carehub.people.monitoring import (
    POLICE_ETHNICITY_CODES,
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
from carehub.referrals.models import (
    ChildrensServicesAware,
    PerpetratorRelationship,
    PolicePerpetrator,
    RecipientKind,
    WorkerGender,
)

# No NUL character anywhere in a text (PostgreSQL cannot store one); the OpenAPI document says so too.
Text = Annotated[str, StringConstraints(pattern=NO_NUL_PATTERN)]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: object) -> object:
    """Only YYYY-MM-DD text: pydantic would otherwise read a number as seconds since 1970."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date written as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]


class ApiIn(BaseModel):
    """The base of every API input. A plain pydantic model, not a ninja Schema: a Schema reads any object's
    attributes, so a list sent where an object belongs would be taken as an empty object."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SurvivorIn(ApiIn):
    given_name: Text = Field("", max_length=100)
    family_name: Text = Field("", max_length=100)
    known_as: Text = Field("", max_length=100)
    date_of_birth: IsoDate | None = None
    phone: Text = Field("", max_length=30)
    email: Text = Field("", max_length=254)
    address: Text = Field("", max_length=500)
    postcode: Text = Field("", max_length=10)

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


class EqualityIn(ApiIn):
    """Every answer is optional, and each allows "prefer_not_to_say"."""

    ethnicity: Ethnicity | None = None
    police_ethnicity_code: Text | None = Field(
        None,
        description="Police self-defined code (A1 ... O9, NS).",
        json_schema_extra={"enum": [*POLICE_ETHNICITY_CODES, None]},
    )
    sex: Sex | None = None
    gender_same_as_sex: GenderSameAsSex | None = None
    gender_identity: GenderIdentity | None = None
    sexual_orientation: SexualOrientation | None = None
    disability: Disability | None = None
    religion: Religion | None = None
    pregnancy: PregnancyMaternity | None = None
    first_language: Language | None = None
    interpreter_needed: StrictBool | None = None
    immigration_status: ImmigrationStatus | None = None

    @field_validator("police_ethnicity_code")
    @classmethod
    def _known_police_code(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ethnicity_from_police_code(value)
            except ValueError:
                # Not the library's message: it quotes the code, and a survivor's ethnicity is not to be echoed.
                raise ValueError("is not a police self-defined ethnicity code (A1 to O9, or NS)") from None
        return value

    def as_fields(self) -> dict:
        data = {k: (v.value if hasattr(v, "value") else v) for k, v in self.model_dump().items() if v is not None}
        code = data.pop("police_ethnicity_code", None)
        if code is not None and "ethnicity" not in data:
            mapped = ethnicity_from_police_code(code)
            if mapped:
                data["ethnicity"] = mapped
        return data


class SafeContactIn(ApiIn):
    phone_ok: StrictBool = False
    text_ok: StrictBool = False
    email_ok: StrictBool = False
    voicemail_ok: StrictBool = False
    safe_times: Text = Field("", max_length=200)
    safe_word: Text = Field("", max_length=50)
    notes: Text = Field("", max_length=1000)
    others_who_may_answer: Text = Field(
        "", max_length=200, description="Who else may answer her phone or read her messages."
    )


def _consent_not_expired(value: dt.date | None) -> dt.date | None:
    if value is not None and value < timezone.localdate():
        raise ValueError("cannot be in the past: consent that has already expired is no consent")
    return value


class SharingIn(ApiIn):
    organisation: Text = Field(..., max_length=60, description="Slug of the organisation information may go to.")
    expires_on: IsoDate | None = None

    @field_validator("expires_on")
    @classmethod
    def _not_past(cls, value: dt.date | None) -> dt.date | None:
        return _consent_not_expired(value)


class ConsentIn(ApiIn):
    referral: StrictBool = Field(
        ..., description="The survivor agrees to this referral. Must be true.", json_schema_extra={"const": True}
    )
    share_with: list[SharingIn] = Field(default_factory=list, max_length=20)
    share_with_kinds: list[RecipientKind] = Field(
        default_factory=list,
        max_length=len(RecipientKind.values),
        json_schema_extra={"uniqueItems": True},
        description=(
            "Kinds of organisation she agrees information may be shared with, as the web form asks: never "
            "commissioners, funders or police, which receive no referrals."
        ),
    )
    share_with_kinds_expire_on: IsoDate | None = Field(None, description="When her consent by kind ends, if ever.")

    @field_validator("share_with_kinds")
    @classmethod
    def _each_kind_once(cls, value: list[RecipientKind]) -> list[RecipientKind]:
        if len(set(value)) != len(value):
            raise ValueError("names a kind of organisation more than once")
        return value

    @field_validator("share_with_kinds_expire_on")
    @classmethod
    def _kinds_not_past(cls, value: dt.date | None) -> dt.date | None:
        return _consent_not_expired(value)

    @field_validator("referral")
    @classmethod
    def _must_agree(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the survivor must agree to the referral before it is sent")
        return value


class ReferrerIn(ApiIn):
    """Who sent it, and how the hub reaches them to follow up."""

    name: Text = Field(..., min_length=1, max_length=200)
    role: Text = Field("", max_length=200)
    phone: Text = Field("", max_length=30, description="The referrer's phone number for follow-up.")
    email: Text = Field("", max_length=254, description="The referrer's email address for follow-up.")


class ChildrenIn(ApiIn):
    """Children in her household, as an agency knows them."""

    count: StrictInt = Field(..., ge=0, le=20, description="How many children live in her household (0 if none).")
    ages: Text = Field("", max_length=100, description="Their ages, in words or numbers, e.g. '3 and 7'.")
    childrens_services_aware: ChildrensServicesAware | None = Field(
        None, description="Whether children's services know about the children."
    )


class ReferralIn(ApiIn):
    survivor: SurvivorIn
    borough: Text = Field(
        "",
        description="ONS code of her London borough (E09000001-E09000033), or blank.",
        json_schema_extra={"enum": ["", *BOROUGHS]},
    )
    abuse_types: list[AbuseType] = Field(default_factory=list, max_length=20)
    needs: list[ServiceType] = Field(default_factory=list, max_length=10)
    wants_by_and_for: Community | None = None
    language: Language | None = None
    interpreter_needed: StrictBool = False
    has_nrpf: StrictBool = False
    worker_gender: WorkerGender | None = None
    perpetrator_relationship: PerpetratorRelationship | None = None
    perpetrator_police: PolicePerpetrator = PolicePerpetrator.NO
    summary: Text = Field(
        "", max_length=4000, description="What has happened, in the agency's words. Sealed; read only by her workers."
    )
    agency_reference: Text = Field(
        "", max_length=50, description="The agency's own reference, e.g. a police CAD or CRIS number, for follow-up."
    )
    children: ChildrenIn | None = None
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
