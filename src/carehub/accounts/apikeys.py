"""Creating, checking and revoking API keys for agency systems."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from carehub.accounts.models import ApiKey, Organisation
from carehub.audit import services as audit
from carehub.audit.models import Action

KEY_PREFIX = "chk"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def apikey_create(*, actor, organisation: Organisation, name: str = "") -> tuple[ApiKey, str]:
    """A new key for the organisation; returns the record and the full key, which is never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(organisation=organisation, name=name, prefix=prefix, key_hash=_hash(secret))
        audit.record(
            actor=actor,
            action=Action.CREATE,
            object_type="apikey",
            object_id=prefix,
            changes={"organisation": organisation.slug},
        )
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def apikey_revoke(*, actor, key: ApiKey) -> None:
    with transaction.atomic():
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit.record(
            actor=actor, action=Action.UPDATE, object_type="apikey", object_id=key.prefix, changes={"revoked": True}
        )


def organisation_for_key(presented: str) -> Organisation | None:
    """The organisation a presented key belongs to, or None for a malformed, unknown or revoked key."""
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("organisation").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(parts[2])):
        return None
    return key.organisation
