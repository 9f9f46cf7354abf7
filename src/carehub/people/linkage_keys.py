"""Linkage keys: what record linkage compares instead of a survivor's identity.

Every key is a keyed hash (HMAC-SHA256 under settings.HASH_KEY, through people.crypto.lookup_hash), truncated to its
first 16 hex digits, of one normalised feature of the identity. Equal keys mean equal features; without the key
nothing can be read back, and no plain value is ever stored. Typing slips are tolerated by hashing the features a
slip leaves intact, not the values themselves:
- each name exactly, its metaphone code (sounds alike), and its "one-edit neighbourhood": the name and every form of
  it with one letter dropped. Two names share a neighbour exactly when one typing slip (a wrong, dropped, doubled or
  swapped letter) separates them, so Levenshtein distance 1 is tested on hashes alone;
- the date of birth, and each pair of its parts (year+month, year+day, month+day), and year with day and month
  unordered: a transposed day and month, or one mistyped part, still agrees in part;
- the phone and email exactly (a fuzzy email misleads training: addresses are built from names);
- the postcode, its sector and district, and the first line of the address with spelling variants folded.
Names share one hash kind ("name"), so a given name can be compared with a family name: swapped names are caught.

16 hex digits (64 bits) keep collisions negligible (a chance of about one in 30 million of any collision among a
million distinct values) at a quarter of the size. The batch command computes the same function in DuckDB
(hmac_sql, as a 64-bit integer: key_to_int of the same digits); tests/repeats/test_bulk.py holds the two equal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any

import jellyfish
from django.conf import settings

from carehub.people import crypto
from carehub.people.crypto import lookup_hash, normalise_email, normalise_name, normalise_phone, normalise_postcode

KEY_HEX_DIGITS = 16
NEAR_SEPARATOR = " "
MIN_NEAR_LENGTH = 4  # dropping a letter from a shorter name leaves too little to mean anything

# Key field -> hash kind. Fields sharing a kind can be compared with each other.
KINDS: dict[str, str] = {
    "given": "name",
    "given_near": "name_near",
    "given_metaphone": "metaphone",
    "family": "name",
    "family_near": "name_near",
    "family_metaphone": "metaphone",
    "names_metaphone": "names_metaphone",
    "dob": "dob",
    "dob_ym": "dob_ym",
    "dob_yd": "dob_yd",
    "dob_md": "dob_md",
    "dob_unordered": "dob_unordered",
    "phone": "phone",
    "email": "email",
    "postcode": "postcode",
    "postcode_sector": "postcode_sector",
    "postcode_district": "postcode_district",
    "address": "address",
}
KEY_FIELDS: tuple[str, ...] = tuple(KINDS)
# Keys only the batch command makes, from the address's one-edit neighbourhood and the optional input columns (town,
# county, second address line). The hub stores none of them (its identities have no such fields): to its scoring
# they are always missing, which counts for nothing either way.
BATCH_KEY_FIELDS: tuple[str, ...] = ("address_near", "town", "town_near", "county", "address_2")
ALL_KEY_FIELDS: tuple[str, ...] = KEY_FIELDS + BATCH_KEY_FIELDS
LIST_FIELDS = frozenset({"given_near", "family_near", "address_near", "town_near"})  # several keys, space-separated

ADDRESS_SEPARATORS = r"[\s,/.\-]+"
ADDRESS_DROPPED = r" (?:flat|apartment|apt|unit|room) "
# Street words and their abbreviations, each written as its initial: road and rd as r, street and st as s.
STREET_WORDS = (
    r" (?:(r)(?:oad|d)|(s)(?:treet|t|quare|q)|(a)(?:venue|ve)|(l)(?:ane|n)|(c)(?:lose|l|ourt|t|rescent|res)"
    r"|(g)(?:rove|r|ardens|dns)|(d)(?:rive|r)|(p)(?:lace|l)|(t)(?:errace|er)) "
)
STREET_INITIALS = r" \1\2\3\4\5\6\7\8\9 "
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")


def linkage_keys(identity: Any) -> dict[str, str]:
    """The keys of an identity (people.models.Identity or anything with its fields); blank features give "".

    Blank in, blank out: an unknown value must never agree with another unknown value.
    """
    features = identity_features(
        given_name=identity.given_name,
        family_name=identity.family_name,
        date_of_birth=identity.date_of_birth,
        phone=identity.phone,
        email=identity.email,
        postcode=identity.postcode,
        address=identity.address,
    )
    return {field: keyed(KINDS[field], value) for field, value in features.items()}


def keyed(kind: str, value: str | list[str]) -> str:
    """The truncated keyed hash of one normalised feature, or of each item of a list (space-separated)."""
    if isinstance(value, list):
        return NEAR_SEPARATOR.join(sorted({keyed(kind, item) for item in value if item}))
    return lookup_hash(kind, value)[:KEY_HEX_DIGITS]


def identity_features(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    phone: str,
    email: str,
    postcode: str,
    address: str,
) -> dict[str, str | list[str]]:
    """The normalised plain features the keys are hashes of. Held in memory only, never stored."""
    given, family = name_features(given_name), name_features(family_name)
    both_codes = given["metaphone"] and family["metaphone"]
    return {
        "given": given["name"],
        "given_near": given["near"],
        "given_metaphone": given["metaphone"],
        "family": family["name"],
        "family_near": family["near"],
        "family_metaphone": family["metaphone"],
        "names_metaphone": f"{given['metaphone']}|{family['metaphone']}" if both_codes else "",
        **dob_features(date_of_birth),
        "phone": normalise_phone(phone),
        "email": normalise_email(email),
        **postcode_features(postcode),
        "address": address_line(address),
    }


def name_features(raw: str) -> dict[str, Any]:
    """A name, its metaphone code and its one-edit neighbourhood (itself and each one-letter deletion)."""
    return normalised_name_features(normalise_name(raw))


def normalised_name_features(name: str) -> dict[str, Any]:
    """name_features of a name already through normalise_name (the batch path normalises each raw name once)."""
    if not name:
        return {"name": "", "metaphone": "", "near": []}
    return {"name": name, "metaphone": jellyfish.metaphone(name), "near": one_edit_neighbourhood(name)}


def one_edit_neighbourhood(name: str) -> list[str]:
    """The name and every string one deletion away: two names within one edit share at least one of these."""
    if len(name) < MIN_NEAR_LENGTH:
        return [name]
    return sorted({name} | {name[:i] + name[i + 1 :] for i in range(len(name))})


def dob_features(dob: dt.date | None) -> dict[str, str]:
    """The date and its parts in pairs: agreeing on two of three parts survives one mistyped part."""
    if dob is None:
        return dict.fromkeys(("dob", "dob_ym", "dob_yd", "dob_md", "dob_unordered"), "")
    low, high = sorted((dob.month, dob.day))
    return {
        "dob": dob.isoformat(),
        "dob_ym": f"{dob.year:04d}-{dob.month:02d}",
        "dob_yd": f"{dob.year:04d}-{dob.day:02d}",
        "dob_md": f"{dob.month:02d}-{dob.day:02d}",
        "dob_unordered": f"{dob.year:04d}-{low:02d}-{high:02d}",
    }


def postcode_features(raw: str) -> dict[str, str]:
    """Postcode, sector ("SW1A 1") and district ("SW1A"). A value that is not a UK postcode keys as itself only."""
    postcode = normalise_postcode(raw)
    match = _POSTCODE.match(postcode)
    return {
        "postcode": postcode,
        "postcode_sector": match.group(1) + match.group(2) if match else "",
        "postcode_district": match.group(1) if match else "",
    }


def address_line(raw: str) -> str:
    """The first line of an address, spelt one way: "Flat 3, 12 Albert Road, London" and "3/12 Albert Rd" agree.

    Keeps everything up to the last comma-separated part that holds a digit (the house number and street), so a
    town or borough added or left off does not matter; drops words like "flat"; writes a street word and its
    abbreviation alike ("road" and "rd" both as "r"); then normalises as names are (case, accents, spaces and
    punctuation removed). Written as regular expressions that bulk.MACROS repeats in SQL, step for step.
    """
    lowered = (raw or "").casefold()
    if re.search("[0-9]", lowered):
        kept = re.match("(.*[0-9][^,\n]*)", lowered, re.DOTALL).group(1)  # type: ignore[union-attr]
    else:
        kept = re.match("[\\s,]*([^,\n]*)", lowered).group(1)  # type: ignore[union-attr]
    words = re.sub(ADDRESS_SEPARATORS, "  ", kept).strip()
    spaced = f" {words} "  # words two spaces apart, so that " word " patterns never overlap
    spaced = re.sub(ADDRESS_DROPPED, " ", spaced)
    spaced = re.sub(STREET_WORDS, STREET_INITIALS, spaced)
    return normalise_name(spaced)


def key_to_int(key: str) -> int:
    """A 16-hex-digit key as the unsigned 64-bit integer the batch command compares (same equality, faster)."""
    return int(key, 16)


def near_keys(value: str) -> list[str]:
    """The keys of a one-edit neighbourhood field."""
    return value.split(NEAR_SEPARATOR) if value else []


def hmac_sql(kind_sql: str, value_sql: str) -> str:
    """DuckDB SQL for keyed(kind, value) as UBIGINT: HMAC-SHA256 built from sha256, truncated to 64 bits.

    `kind_sql` and `value_sql` are SQL expressions (a literal such as "'phone'", or a column).

    Identical to people.crypto.lookup_hash (the standard HMAC) for non-empty values; NULL for blank ones. The hash
    key is not in the SQL text: run it with the named parameters from hmac_parameters().
    """
    message = f"encode({kind_sql} || ':' || {value_sql})"  # UTF-8, as Python's; a ::BLOB cast reads \\x escapes
    digest = f"sha256($hmac_outer || unhex(sha256($hmac_inner || {message})))"
    return f"CASE WHEN coalesce({value_sql}, '') = '' THEN NULL ELSE ('0x' || left({digest}, 16))::UBIGINT END"


def hmac_parameters(hash_key: str) -> dict[str, bytes]:
    """HMAC's inner and outer padded key blocks (RFC 2104), as parameters for hmac_sql."""
    block = 64
    key = hash_key.encode()
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    return {"hmac_inner": bytes(b ^ 0x36 for b in key), "hmac_outer": bytes(b ^ 0x5C for b in key)}


class BatchKeys:
    """linkage_keys for many identities: the same keys, with each distinct name, date of birth and postcode keyed
    once rather than once per identity (names and dates repeat a great deal across a million people).

    Holds plain features in memory while it lives, so it is for batch jobs that already hold the identities (the
    seeder's workers, benchmarks), never for a long-running server. tests/repeats/test_linkage.py holds it equal to
    linkage_
    """

    def __init__(self) -> None:
        self._names: dict[str, tuple[str, str, str, str]] = {}
        self._dobs: dict[dt.date, dict[str, str]] = {}
        self._parts: dict[tuple[str, str], str] = {}  # (field, value): a sector "E14" is not the district "E14"
        # HMAC with its key already absorbed: copying it skips hashing the key twice for every value.
        self._hmac = hmac.new(settings.HASH_KEY.encode(), digestmod=hashlib.sha256)

    def keyed(self, kind: str, value: str | list[str]) -> str:
        """keyed, faster: the same HMAC (people.crypto.lookup_hash), truncated the same way."""
        if isinstance(value, list):
            return NEAR_SEPARATOR.join(sorted({self.keyed(kind, item) for item in value if item}))
        if not value:
            return ""
        digest = self._hmac.copy()
        digest.update(f"{kind}:{value}".encode())
        return digest.hexdigest()[:KEY_HEX_DIGITS]

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
            "address": self.keyed("address", address_line(identity.address)),
        }

    def _name(self, raw: str) -> tuple[str, str, str, str]:
        """(name key, neighbourhood keys, metaphone code, metaphone key); the code itself is for names_metaphone."""
        found = self._names.get(raw)
        if found is None:
            features = name_features(raw)
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
            found = {field: self.keyed(KINDS[field], value) for field, value in dob_features(dob).items()}
            self._dobs[dob] = found
        return found

    def _postcode(self, raw: str) -> dict[str, str]:
        # Nearly every full postcode is different, so only its sector and district are remembered.
        features = postcode_features(raw)
        keyed = {"postcode": self.keyed("postcode", features["postcode"])}
        for field in ("postcode_sector", "postcode_district"):
            value = features[field]
            found = self._parts.get((field, value))
            if found is None:
                found = self._parts[field, value] = self.keyed(KINDS[field], value)
            keyed[field] = found
        return keyed


def key_row(linkage: dict[str, str]) -> tuple[str, ...]:
    """Keys in KEY_FIELDS order: compact to send from a worker process, and the column order of bulk writes."""
    return tuple(linkage[field] for field in KEY_FIELDS)
