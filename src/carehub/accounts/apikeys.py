"""Creating, checking and revoking API keys for agency systems.

Checking a key is on every API request. A key checked in the last few seconds (settings.API_KEY_RECHECK_SECONDS)
is trusted again without a query, as long as no key has been created or revoked since: revoking sets a new version
in the shared cache, which every process compares. With a cache that is not shared between processes (LocMemCache,
no Redis), another process goes on trusting a revoked key for at most those few seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from carehub.accounts.models import ApiKey, Organisation
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType

KEY_PREFIX = "chk"
_VERSION = "carehub:apikeys-version"
_MAX_REMEMBERED = 1000
# (prefix, hash of the secret) -> (checked at, keys version then, organisation)
_recently_checked: dict[tuple[str, str], tuple[float, str | None, Organisation]] = {}


def _keys_changed() -> None:
    cache.set(_VERSION, uuid.uuid4().hex, None)
    _recently_checked.clear()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def apikey_create(*, actor, organisation: Organisation, name: str = "") -> tuple[ApiKey, str]:
    """A new key for the organisation; returns the record and the full key, which is never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(organisation=organisation, name=name, prefix=prefix, key_hash=_hash(secret))
        transaction.on_commit(_keys_changed)
        audit.record(
            actor=actor,
            action=Action.CREATE,
            object_type="apikey",
            object_id=prefix,
            changes={"organisation": [None, organisation.slug], "name": [None, name]},
            event=EventType.API_KEY_CREATED,
        )
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def apikey_revoke(*, actor, key: ApiKey) -> None:
    """Stop the key working at once. Revoking a revoked key changes nothing and records nothing."""
    now = timezone.now()
    with transaction.atomic():
        if not ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now):
            return
        key.revoked_at = now
        _keys_changed()  # at once, and again on commit: a check racing the commit must not keep the key trusted
        transaction.on_commit(_keys_changed)
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="apikey",
            object_id=key.prefix,
            changes={"revoked_at": [None, now.isoformat()], "organisation": key.organisation.slug},
            event=EventType.API_KEY_REVOKED,
        )


def organisation_for_key(presented: str) -> Organisation | None:
    """The organisation a presented key belongs to, or None for a malformed, unknown or revoked key."""
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    digest = _hash(parts[2])
    version, now = cache.get(_VERSION), time.monotonic()
    remembered = _recently_checked.get((parts[1], digest))
    if remembered and remembered[1] == version and now - remembered[0] < settings.API_KEY_RECHECK_SECONDS:
        return remembered[2]
    key = ApiKey.objects.select_related("organisation").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        return None
    if len(_recently_checked) >= _MAX_REMEMBERED:
        _recently_checked.clear()
    _recently_checked[(parts[1], digest)] = (now, version, key.organisation)
    return key.organisation
