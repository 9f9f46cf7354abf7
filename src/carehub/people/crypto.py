"""Envelope encryption of survivors' identity, and keyed hashes for exact look-up.

Each survivor has a data key of her own. Her identity and contact details are encrypted under that key, and the key
is stored only wrapped (encrypted) by the key-encryption keys in CAREHUB_FIELD_KEYS. So:
- rotating CAREHUB_FIELD_KEYS means re-wrapping the small data keys, not re-encrypting every record;
- destroying one data key makes everything sealed under it unreadable wherever a copy lies, backups included,
  provided the key store is backed up on a shorter cycle than the data (see README, "Erasure").
Look-ups (same email, same phone) use HMAC-SHA256 under a separate key, so the index reveals nothing without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class KeyDestroyed(Exception):
    """The data key was destroyed: what it protected is erased."""


class KeyUnavailable(Exception):
    """Sealed data that should open does not: a missing key-encryption key, another survivor's key, or tampering.

    Deliberately not a KeyDestroyed: a configuration mistake (say, dropping the old key from CAREHUB_FIELD_KEYS
    before `carehub datakeys rotate` has run) must fail loudly, never pass for an erasure that did not happen.
    """


@lru_cache(maxsize=4)
def _key_encryption_keys(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _kek() -> MultiFernet:
    return _key_encryption_keys(tuple(settings.FIELD_KEYS))


def new_wrapped_data_key() -> bytes:
    """A fresh data key, returned only in wrapped form so the plain key never reaches the database."""
    return _kek().encrypt(Fernet.generate_key())


_NO_KEK = "none of the keys in CAREHUB_FIELD_KEYS unwraps this data key"


def rewrap(wrapped: bytes) -> bytes:
    """Re-wrap a data key under the newest key-encryption key (rotation)."""
    try:
        return _kek().rotate(bytes(wrapped))
    except InvalidToken as exc:
        raise KeyUnavailable(_NO_KEK) from exc


def _data_key(wrapped: bytes | None) -> Fernet:
    if not wrapped:
        raise KeyDestroyed("this record's data key has been destroyed")
    try:
        return Fernet(_kek().decrypt(bytes(wrapped)))
    except InvalidToken as exc:
        raise KeyUnavailable(_NO_KEK) from exc


def seal(wrapped_key: bytes | None, payload: dict) -> bytes:
    """Encrypt a JSON-serialisable payload under the data key."""
    return _data_key(wrapped_key).encrypt(json.dumps(payload, default=str, separators=(",", ":")).encode())


def unseal(wrapped_key: bytes | None, token: bytes | None) -> dict:
    """Decrypt a payload sealed under the data key.

    Raises KeyDestroyed after erasure, and KeyUnavailable when the data does not open with this key.
    """
    if not token:
        return {}
    data_key = _data_key(wrapped_key)
    try:
        return json.loads(data_key.decrypt(bytes(token)))
    except InvalidToken as exc:
        raise KeyUnavailable("the sealed data does not open with this data key") from exc


def unsealer(wrapped_key: bytes | None) -> Callable[[bytes | None], dict]:
    """`unseal` for many payloads under one data key, the key unwrapped once (a subject access pack opens hundreds
    of her notes). Raises KeyDestroyed at once after erasure, as `unseal` does."""
    data_key = _data_key(wrapped_key)

    def open_one(token: bytes | None) -> dict:
        if not token:
            return {}
        try:
            return json.loads(data_key.decrypt(bytes(token)))
        except InvalidToken as exc:
            raise KeyUnavailable("the sealed data does not open with this data key") from exc

    return open_one


def normalise_email(value: str) -> str:
    return (value or "").strip().casefold()


def normalise_phone(value: str) -> str:
    """UK numbers in one form: digits only, national format with one leading 0.

    '+44 7700 900123', '0044 7700 900123', '+44 (0)7700 900123' and '07700 900123' are one number; a miss here is a
    repeat referral the hub does not see.
    """
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("00"):  # international prefix, as dialled from the UK
        digits = digits[2:]
    if digits.startswith("44") and len(digits) >= 11:
        national = digits[2:]
        # The '(0)' some people write after +44 is the trunk prefix: keep exactly one.
        digits = national if national.startswith("0") else "0" + national
    return digits


def normalise_postcode(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def normalise_name(value: str) -> str:
    """Case, accents, spaces and punctuation removed, so 'Zoë O'Neil' and 'zoe oneil' agree."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    letters = "".join(c for c in decomposed if c.isalnum())
    return letters.casefold()


def lookup_hash(kind: str, normalised_value: str) -> str:
    """Keyed hash of an already-normalised value; blank in, blank out (a blank must never match a blank)."""
    if not normalised_value:
        return ""
    message = f"{kind}:{normalised_value}".encode()
    return hmac.new(settings.HASH_KEY.encode(), message, hashlib.sha256).hexdigest()
