"""Append-only, hash-chained audit events.

The database refuses UPDATE, DELETE and TRUNCATE on this table (triggers in migration 0002), and each event carries
the hash of the one before it, so an event altered or removed by someone who can bypass the triggers is still found
by `carehub audit verify`.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models


class Action(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    ERASE = "erase", "Erased"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    BREAK_GLASS = "break_glass", "Break-glass access"
    KEY_ROTATION = "key_rotation", "Keys rotated"
    SEED = "seed", "Synthetic data loaded"


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain: 1, 2, 3 ... with no gaps.")
    at = models.DateTimeField()
    # Snapshots rather than foreign keys: an audit event must outlive the user and organisation it names.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    organisations = models.CharField(max_length=300, blank=True, help_text="Slugs of the actor's organisations.")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    survivor_id = models.BigIntegerField(null=True, blank=True)
    sealed = models.BooleanField(default=False, help_text="About a sealed-pathway record.")
    reason = models.TextField(blank=True)
    # Names of fields changed and non-personal old/new values; personal values never enter the audit trail.
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["survivor_id", "at"], name="audit_survivor_idx"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]

    def __str__(self) -> str:
        return f"Audit event {self.seq}"

    def canonical(self) -> bytes:
        """The bytes the hash covers: every field but the hash itself, in a fixed order and format."""
        data = {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "organisations": self.organisations,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "survivor_id": self.survivor_id,
            "sealed": self.sealed,
            "reason": self.reason,
            "changes": self.changes,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()
