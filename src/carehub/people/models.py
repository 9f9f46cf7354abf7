"""Survivors: identity sealed under a data key of her own, equality monitoring in the clear for analysis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.db import models

from carehub.core import public_ids
from carehub.people import crypto
from carehub.people.monitoring import (
    Disability,
    Ethnicity,
    GenderIdentity,
    GenderSameAsSex,
    ImmigrationStatus,
    PregnancyMaternity,
    Religion,
    Sex,
    SexualOrientation,
)


@dataclass(frozen=True)
class Identity:
    """Everything that identifies or reaches a survivor. Only ever stored sealed."""

    given_name: str = ""
    family_name: str = ""
    known_as: str = ""
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""

    def to_payload(self) -> dict:
        # Not dataclasses.asdict: every field is a str or a date, and its deep copy cost time on every referral.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        return data

    @classmethod
    def from_payload(cls, payload: dict) -> Identity:
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in payload.items() if k in known}
        if data.get("date_of_birth"):
            data["date_of_birth"] = dt.date.fromisoformat(data["date_of_birth"])
        return cls(**data)

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.given_name, self.family_name) if p)
        return name or self.known_as or "Name not given"


class DataKey(models.Model):
    """A survivor's data key, wrapped. Emptying `wrapped` erases everything sealed under it."""

    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Data key {self.pk}"


class Survivor(models.Model):
    # What pages, URLs and the audit trail show: random, because her key comes from a sequence shared with sealed
    # survivors, and "survivor 225, then 228" would tell the hub's auditor that two were created in between.
    public_id = models.CharField(
        max_length=public_ids.LENGTH, unique=True, default=public_ids.new_public_id, editable=False
    )
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="survivor")
    identity_sealed = models.BinaryField()
    # Keyed hashes (HMAC) for exact look-up; blank when the value is unknown.
    email_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    phone_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    name_dob_lookup = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Equality monitoring (ONS 2021). Blank: not asked or not answered.
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True)
    gender_same_as_sex = models.CharField(max_length=20, choices=GenderSameAsSex.choices, blank=True)
    gender_identity = models.CharField(max_length=20, choices=GenderIdentity.choices, blank=True)
    sexual_orientation = models.CharField(max_length=20, choices=SexualOrientation.choices, blank=True)
    disability = models.CharField(max_length=20, choices=Disability.choices, blank=True)
    religion = models.CharField(max_length=20, choices=Religion.choices, blank=True)
    pregnancy = models.CharField(max_length=30, choices=PregnancyMaternity.choices, blank=True)
    first_language = models.CharField(max_length=10, blank=True)
    interpreter_needed = models.BooleanField(null=True, blank=True)
    # Immigration: hidden from police users and never exported at person level (policy.py, extract).
    immigration_status = models.CharField(max_length=30, choices=ImmigrationStatus.choices, blank=True)
    migrant_concession_applied = models.BooleanField(default=False)
    migrant_concession_granted = models.BooleanField(default=False)
    ilr_domestic_abuse_applied = models.BooleanField(default=False)
    support_for_migrant_victims_referral = models.BooleanField(default=False)

    erased_at = models.DateTimeField(null=True, blank=True)

    # The person she is, when a hub worker has confirmed that she and other survivor records are the same woman
    # (repeats.services.match_decide): the first of those records (lowest id), held by every one of them, that one
    # included. Null while no confirmed link joins her to anyone: she is then a person on her own, of her own id.
    # Denormalised from the confirmed MatchDecisions so analysis can group by person with one indexed equality
    # (cases.commissioning, extract); never merged or re-pointed, see repeats/models.py.
    person = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+", db_index=True
    )

    class Meta:
        indexes = [models.Index(fields=["ethnicity"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and error reports.
        return f"Survivor {self.pk}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def identity(self) -> Identity | None:
        """The decrypted identity, or None once erased. Callers must already hold a policy decision."""
        if not hasattr(self, "_identity_cache"):
            try:
                payload = crypto.unseal(self.data_key.wrapped, self.identity_sealed)
            except crypto.KeyDestroyed:
                self._identity_cache = None
            else:
                self._identity_cache = Identity.from_payload(payload)
        return self._identity_cache

    def seal_for(self, payload: dict) -> bytes:
        """Encrypt other personal data (contact preferences, notes) under this survivor's key."""
        return crypto.seal(self.data_key.wrapped, payload)

    def unseal(self, token: bytes | None) -> dict | None:
        try:
            return crypto.unseal(self.data_key.wrapped, token)
        except crypto.KeyDestroyed:
            return None


def lookups_for(identity: Identity) -> dict[str, str]:
    """The keyed hashes stored beside a sealed identity."""
    name_dob = ""
    if identity.family_name and identity.date_of_birth:
        name_dob = crypto.normalise_name(identity.family_name) + "|" + identity.date_of_birth.isoformat()
    return {
        "email_lookup": crypto.lookup_hash("email", crypto.normalise_email(identity.email)),
        "phone_lookup": crypto.lookup_hash("phone", crypto.normalise_phone(identity.phone)),
        "name_dob_lookup": crypto.lookup_hash("name_dob", name_dob),
    }


KEY_LENGTH = 16  # linkage_keys.KEY_HEX_DIGITS
# Her date of birth with one part left out or swapped (linkage_keys.dob_features): matches despite one slip in it.
PARTIAL_DOB_FIELDS = ("dob_ym", "dob_yd", "dob_md", "dob_unordered")


def _key() -> models.CharField:
    return models.CharField(max_length=KEY_LENGTH, blank=True, default="")


class LinkageRecord(models.Model):
    """One survivor's linkage keys (linkage_keys.linkage_keys of her identity): keyed hashes of features, never the
    values; "" where the feature is unknown (a blank never agrees with a blank).

    Written in the same transaction as her identity (services.survivor_create) and deleted when she is erased;
    survivors who came in through the sealed pathway get none, so they are never matched. Repeats reads them.
    The fields are linkage_keys.KEY_FIELDS. The two one-edit neighbourhoods are lists of keys, space-separated.
    Indexed: the fields repeats.scoring.candidate_blocks looks candidates up by, and the exact names, whose frequency
    weighs an agreement on a rare name above one on a common name.
    """

    survivor = models.OneToOneField(Survivor, on_delete=models.CASCADE, primary_key=True, related_name="linkage")
    given = _key()
    given_near = models.TextField(blank=True, default="")
    given_metaphone = _key()
    family = _key()
    family_near = models.TextField(blank=True, default="")
    family_metaphone = _key()
    names_metaphone = _key()
    dob = _key()
    dob_ym = _key()
    dob_yd = _key()
    dob_md = _key()
    dob_unordered = _key()
    phone = _key()
    email = _key()
    postcode = _key()
    postcode_sector = _key()
    postcode_district = _key()
    address = _key()

    class Meta:
        # The table keeps the name it had when repeats owned it (people 0006 moved the model, not the data).
        db_table = "repeats_linkagerecord"
        indexes = [
            models.Index(fields=["phone"], name="linkage_phone_idx"),
            models.Index(fields=["email"], name="linkage_email_idx"),
            models.Index(fields=["dob"], name="linkage_dob_idx"),
            models.Index(fields=["address"], name="linkage_address_idx"),
            models.Index(fields=["postcode"], name="linkage_postcode_idx"),
            models.Index(fields=["names_metaphone"], name="linkage_names_idx"),
            models.Index(fields=["given"], name="linkage_given_idx"),
            models.Index(fields=["family"], name="linkage_family_idx"),
            # The search box's "exact name, one part of the date mistyped" (search.selectors): a name and a partial
            # date are both index conditions here, so a common name costs an index range, not a heap read per woman
            # of that name (about 10,000 of them at a million survivors).
            models.Index(fields=["family", *PARTIAL_DOB_FIELDS], name="linkage_family_dob_idx"),
            models.Index(fields=["given", *PARTIAL_DOB_FIELDS], name="linkage_given_dob_idx"),
        ]

    def __str__(self) -> str:
        return f"Linkage keys of survivor {self.survivor_id}"
