"""Writing survivors' linkage keys in bulk (the seeder, benchmarks, `carehub repeats keys`).

One at a time, people.services writes them with her identity (they are people's table, people.models.LinkageRecord).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import transaction

from carehub.audit import services as audit
from carehub.audit.models import Action
from carehub.people import crypto
from carehub.people import linkage_keys as keys
from carehub.people.models import LinkageRecord, Survivor
from carehub.referrals.models import Referral


def linkage_backfill(*, actor: Any = None, batch_size: int = 1000) -> int:
    """Store linkage keys for every survivor who has none (stored before Care Hub kept them); returns how many.

    Erased survivors, and survivors with a sealed referral, get none. Each batch commits with its own audit event, so
    a run stopped half way is recorded as far as it went, and running it again finishes it.
    """
    stored, last_pk = 0, 0
    sealed = Referral.objects.filter(sealed=True).values("survivor_id")
    batch_keys = BatchKeys()
    while True:
        with transaction.atomic():
            survivors = list(
                Survivor.objects.select_related("data_key")
                .filter(pk__gt=last_pk, linkage__isnull=True, erased_at__isnull=True)
                .exclude(pk__in=sealed)
                .order_by("pk")[:batch_size]
            )
            if not survivors:
                break
            records = [LinkageRecord(survivor=s, **batch_keys(s.identity)) for s in survivors if s.identity is not None]
            LinkageRecord.objects.bulk_create(records)
            audit.record(
                actor=actor,
                action=Action.UPDATE,
                object_type="linkagerecord",
                changes={"stored": len(records), "first_survivor": survivors[0].pk, "last_survivor": survivors[-1].pk},
            )
            stored += len(records)
            last_pk = survivors[-1].pk
    return stored


class BatchKeys:
    """keys.linkage_keys for many identities: the same keys, with each distinct name, date of birth and postcode keyed
    once rather than once per identity (names and dates repeat a great deal across a million people).

    Holds plain features in memory while it lives, so it is for batch jobs that already hold the identities (the
    seeder's workers, benchmarks), never for a long-running server. tests/repeats/test_linkage.py holds it equal to
    keys.linkage_keys.
    """

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str, str, str]] = {}
        self._dobs: dict[dt.date, dict[str, str]] = {}
        self._parts: dict[tuple[str, str], str] = {}  # (field, value): a sector "E14" is not the district "E14"
        # HMAC with its key already absorbed: copying it skips hashing the key twice for every value.
        self._hmac = hmac.new(settings.HASH_KEY.encode(), digestmod=hashlib.sha256)

    def keyed(self, kind: str, value: str | list[str]) -> str:
        """keys.keyed, faster: the same HMAC (people.crypto.lookup_hash), truncated the same way."""
        if isinstance(value, list):
            return keys.NEAR_SEPARATOR.join(sorted({self.keyed(kind, item) for item in value if item}))
        if not value:
            return ""
        digest = self._hmac.copy()
        digest.update(f"{kind}:{value}".encode())
        return digest.hexdigest()[: keys.KEY_HEX_DIGITS]

    def __call__(self, identity: Any) -> dict[str, str]:
        given_key, given_near, given_code, given_code_key = self._name(identity.given_name)
        family_key, family_near, family_code, family_code_key = self._name(identity.family_name)
        both = f"{given_code}|{family_code}" if given_code and family_code else ""
        return {
            "given": given_key,
            "given_near": given_near,
            "given_metaphone": given_code_key,
            "family": family_key,
            "family_near": family_near,
            "family_metaphone": family_code_key,
            "names_metaphone": self.keyed("names_metaphone", both),
            **self._dob(identity.date_of_birth),
            "phone": self.keyed("phone", crypto.normalise_phone(identity.phone)),
            "email": self.keyed("email", crypto.normalise_email(identity.email)),
            **self._postcode(identity.postcode),
            "address": self.keyed("address", keys.address_line(identity.address)),
        }

    def _name(self, raw: str) -> tuple[str, str, str, str]:
        """(name key, neighbourhood keys, metaphone code, metaphone key); the code itself is for names_metaphone."""
        found = self._names.get(raw)
        if found is None:
            features = keys.name_features(raw)
            found = (
                self.keyed("name", features["name"]),
                self.keyed("name_near", features["near"]),
                features["metaphone"],
                self.keyed("metaphone", features["metaphone"]),
            )
            self._names[raw] = found
        return found

    def _dob(self, dob: dt.date | None) -> dict[str, str]:
        found = self._dobs.get(dob)
        if found is None:
            found = {field: self.keyed(keys.KINDS[field], value) for field, value in keys.dob_features(dob).items()}
            self._dobs[dob] = found
        return found

    def _postcode(self, raw: str) -> dict[str, str]:
        # Nearly every full postcode is different, so only its sector and district are remembered.
        features = keys.postcode_features(raw)
        keyed = {"postcode": self.keyed("postcode", features["postcode"])}
        for field in ("postcode_sector", "postcode_district"):
            value = features[field]
            found = self._parts.get((field, value))
            if found is None:
                found = self._parts[field, value] = self.keyed(keys.KINDS[field], value)
            keyed[field] = found
        return keyed


def key_row(linkage: dict[str, str]) -> tuple[str, ...]:
    """Keys in keys.KEY_FIELDS order: compact to send from a worker process, and the column order of bulk writes."""
    return tuple(linkage[field] for field in keys.KEY_FIELDS)
