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
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class KeyDestroyed(Exception):
    """The data key was destroyed: what it protected is erased."""


@lru_cache(maxsize=4)
def _key_encryption_keys(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _kek() -> MultiFernet:
    return _key_encryption_keys(tuple(settings.FIELD_KEYS))


def new_wrapped_data_key() -> bytes:
    """A fresh data key, returned only in wrapped form so the plain key never reaches the database."""
    return _kek().encrypt(Fernet.generate_key())


def rewrap(wrapped: bytes) -> bytes:
    """Re-wrap a data key under the newest key-encryption key (rotation)."""
    return _kek().rotate(bytes(wrapped))


def _data_key(wrapped: bytes | None) -> Fernet:
    if not wrapped:
        raise KeyDestroyed("this record's data key has been destroyed")
    return Fernet(_kek().decrypt(bytes(wrapped)))


def seal(wrapped_key: bytes | None, payload: dict) -> bytes:
    """Encrypt a JSON-serialisable payload under the data key."""
    return _data_key(wrapped_key).encrypt(json.dumps(payload, default=str, separators=(",", ":")).encode())


def unseal(wrapped_key: bytes | None, token: bytes | None) -> dict:
    """Decrypt a payload sealed under the data key; raises KeyDestroyed after erasure."""
    if not token:
        return {}
    try:
        return json.loads(_data_key(wrapped_key).decrypt(bytes(token)))
    except InvalidToken as exc:  # pragma: no cover - only on tampering or a lost key
        raise KeyDestroyed("the sealed data cannot be opened with the available keys") from exc


def normalise_email(value: str) -> str:
    return value.strip().casefold()


def normalise_phone(value: str) -> str:
    """UK numbers in one form: digits only, +44 written as a leading 0."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("44") and len(digits) >= 11:
        digits = "0" + digits[2:]
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
