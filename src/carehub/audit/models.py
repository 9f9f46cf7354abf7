"""Append-only, hash-chained audit events, in two chains: the hub's, and the sealed pathway's.

The database refuses UPDATE, DELETE and TRUNCATE on both tables (triggers in migrations 0002 and 0004), and each
event carries the hash of the one before it in its chain, so an event altered or removed by someone who can bypass
the triggers is still found by `carehub audit verify`.

Events about sealed-pathway records go to a chain of their own (`SealedAuditEvent`), with its own numbers, hashes
and lock. In one shared chain the hub's auditor, shown event N and then N+3, would learn that two hidden events
happened in between: that someone, perhaps the partner of a police officer, had gone to the independent service.
Nothing in the hub's chain depends on sealed activity: not its numbers, its count, its gaps or its lock.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models

from carehub.core import public_ids


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


class EventType(models.TextChoices):
    """What happened, one value per kind of event, for the auditor to filter on and for code to test.

    `action` says only the broad verb (created, changed, viewed); before this list the real event type travelled as a
    one-off key of `changes` ("goal_added", "declined_offer", "triage"...). Events keep those keys and their values,
    so the trail reads as before; events written before this field existed have no type ("") and their hash is
    unchanged (see ChainedEvent.canonical).
    """

    # accounts
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor refused"
    SECOND_FACTOR_SET_UP = "second_factor_set_up", "Second factor set up"
    MEMBERSHIP_CHANGED = "membership_changed", "Membership changed"
    MEMBERSHIP_CREATED = "membership_created", "Membership created"
    ORGANISATION_CREATED = "organisation_created", "Organisation created"
    ORGANISATION_CHANGED = "organisation_changed", "Organisation changed"
    USER_INVITED = "user_invited", "User invited"
    INVITATION_SENT = "invitation_sent", "Invitation sent"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
    MEMBERSHIP_CONFIRMATION_REQUESTED = "membership_confirmation_requested", "Role awaits the independent service"
    MEMBERSHIP_CONFIRMED = "membership_confirmed", "Role confirmed by the independent service"
    MEMBERSHIP_REFUSED = "membership_refused", "Role refused by the independent service"
    MEMBERSHIP_REQUEST_WITHDRAWN = "membership_request_withdrawn", "Role request withdrawn"
    SECOND_FACTOR_RESET = "second_factor_reset", "Second factor reset"
    API_KEY_CREATED = "api_key_created", "API key created"
    API_KEY_REVOKED = "api_key_revoked", "API key revoked"
    BREAK_GLASS_GRANTED = "break_glass_granted", "Break-glass access granted"
    BREAK_GLASS_REFUSED = "break_glass_refused", "Break-glass access refused"
    # reads through the access policy
    REFERRAL_VIEWED = "referral_viewed", "Referral viewed"
    SAFE_CONTACT_VIEWED = "safe_contact_viewed", "Safe contact instructions viewed"
    CASE_VIEWED = "case_viewed", "Case viewed"
    CASE_LISTED = "case_listed", "Case shown in a list"
    SURVIVOR_VIEWED = "survivor_viewed", "Survivor viewed"
    MARAC_VIEWED = "marac_viewed", "MARAC referral viewed"
    SURVIVOR_SEARCHED = "survivor_searched", "Survivors searched"
    # people
    SURVIVOR_CREATED = "survivor_created", "Survivor created"
    SURVIVOR_ERASED = "survivor_erased", "Survivor erased"
    DATA_KEYS_ROTATED = "data_keys_rotated", "Data keys rotated"
    SURVIVOR_RECTIFIED = "survivor_rectified", "Survivor's details corrected"
    # directory
    SERVICE_CREATED = "service_created", "Service created"
    SERVICE_CHANGED = "service_changed", "Service changed"
    # referrals
    REFERRAL_CREATED = "referral_created", "Referral created"
    ONWARD_REFERRAL_CREATED = "onward_referral_created", "Onward referral created"
    RISK_CHANGED = "risk_changed", "Risk changed"
    REFERRAL_TRIAGED = "referral_triaged", "Referral triaged"
    OFFER_MADE = "offer_made", "Offer made"
    OFFER_DECLINED = "offer_declined", "Offer declined"
    CONSENT_REVOKED = "consent_revoked", "Consent revoked"
    # MARAC
    MARAC_REFERRED = "marac_referred", "Referred to MARAC"
    MARAC_MEETING_SET = "marac_meeting_set", "MARAC meeting date set"
    MARAC_ACTION_ADDED = "marac_action_added", "MARAC action added"
    MARAC_ACTION_DONE = "marac_action_done", "MARAC action done"
    MARAC_OUTCOME_RECORDED = "marac_outcome_recorded", "MARAC outcome recorded"
    # cases
    CASE_OPENED = "case_opened", "Case opened"
    CASE_ALLOCATED = "case_allocated", "Case allocated"
    CASE_TRANSFERRED = "case_transferred", "Case transferred"
    GOAL_ADDED = "goal_added", "Goal added"
    GOAL_STATUS_CHANGED = "goal_status_changed", "Goal status changed"
    SAFETY_PLAN_REVISED = "safety_plan_revised", "Safety plan revised"
    CONTACT_ADDED = "contact_added", "Contact recorded"
    DOCUMENT_ADDED = "document_added", "Document added"
    OUTCOME_MEASURED = "outcome_measured", "Outcome measured"
    CASE_CLOSED = "case_closed", "Case closed"
    CASE_REOPENED = "case_reopened", "Case reopened"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    CLOSURE_CONFIRMED = "closure_confirmed", "Closure confirmed"
    CLOSURE_REFUSED = "closure_refused", "Closure refused"
    REFERRED_ON = "referred_on", "Referred on"
    # the independent advisory service
    REPORTING_DECISION_RECORDED = "reporting_decision_recorded", "Reporting decision recorded"
    COMPLAINT_MADE = "complaint_made", "Complaint made"
    COMPLAINT_OUTCOME_RECORDED = "complaint_outcome_recorded", "Complaint outcome recorded"
    DISCLOSURE_RECORDED = "disclosure_recorded", "Disclosure recorded"
    # repeats
    LINKAGE_KEYS_STORED = "linkage_keys_stored", "Linkage keys stored"
    REPEATS_SUGGESTED = "repeats_suggested", "Possible earlier referrals suggested"
    REPEAT_SUGGESTION_VIEWED = "repeat_suggestion_viewed", "Suggested earlier referral viewed"
    REPEAT_HISTORY_VIEWED = "repeat_history_viewed", "Referral history viewed"
    REPEAT_MATCH_DECIDED = "repeat_match_decided", "Repeat decided"
    REPEAT_MATCH_UNDONE = "repeat_match_undone", "Repeat decision undone"
    # co-production
    COMMITMENT_CREATED = "commitment_created", "Commitment created"
    COMMITMENT_STATUS_CHANGED = "commitment_status_changed", "Commitment status changed"
    ASSESSMENT_CREATED = "assessment_created", "Equality impact assessment created"
    ASSESSMENT_SIGNED_OFF = "assessment_signed_off", "Equality impact assessment signed off"
    CONSULTATION_OPENED = "consultation_opened", "Consultation opened"
    CONSULTATION_ANSWERED = "consultation_answered", "Consultation answered"
    POINT_DECIDED = "point_decided", "Consultation point decided"
    COMMITMENT_ACTION_ADDED = "commitment_action_added", "Commitment action added"
    COMMITMENT_ACTION_UPDATED = "commitment_action_updated", "Commitment action updated"
    FEEDBACK_LINK_OFFERED = "feedback_link_offered", "Feedback link offered"
    # retention and backups
    LEGAL_HOLD_PLACED = "legal_hold_placed", "Legal hold placed"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted", "Legal hold lifted"
    RETENTION_RUN_LISTED = "retention_run_listed", "Retention run listed what is due (dry run)"
    RETENTION_RUN_APPLIED = "retention_run_applied", "Retention run erased what was due"
    BACKUP_VERIFIED = "backup_verified", "Backup verified"
    # her rights over her data: subject access and erasure on request
    SUBJECT_ACCESS_OPENED = "subject_access_opened", "Subject access request opened"
    SUBJECT_ACCESS_VIEWED = "subject_access_viewed", "Subject access request viewed"
    SUBJECT_ACCESS_EXTENDED = "subject_access_extended", "Subject access request extended"
    SUBJECT_ACCESS_REVIEWED = "subject_access_reviewed", "Subject access redactions reviewed"
    SUBJECT_ACCESS_RELEASED = "subject_access_released", "Subject access pack released"
    SUBJECT_ACCESS_DOWNLOADED = "subject_access_downloaded", "Subject access pack downloaded"
    ERASURE_REQUESTED = "erasure_requested", "Erasure requested"
    ERASURE_REQUEST_VIEWED = "erasure_request_viewed", "Erasure request viewed"
    ERASURE_DECIDED = "erasure_decided", "Erasure request decided"
    ERASURE_CARRIED_OUT = "erasure_carried_out", "Erasure carried out"
    # data leaving or entering in bulk
    EXTRACT_WRITTEN = "extract_written", "Extract written"
    DURATION_PUBLISHED = "duration_published", "Duration analysis published"
    DATA_SEEDED = "data_seeded", "Synthetic data loaded"


class ChainedEvent(models.Model):
    """One event of a hash chain; `AuditEvent` and `SealedAuditEvent` are the two chains."""

    seq = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain: 1, 2, 3 ... with no gaps.")
    at = models.DateTimeField()
    # Snapshots rather than foreign keys: an audit event must outlive the user and organisation it names.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    organisations = models.CharField(max_length=300, blank=True, help_text="Slugs of the actor's organisations.")
    action = models.CharField(max_length=20, choices=Action.choices)
    event_type = models.CharField(
        max_length=40, blank=True, default="", choices=EventType.choices, help_text="Empty on events written before it."
    )
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
        abstract = True
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"Audit event {self.seq}"

    @property
    def shown_object_id(self) -> str:
        """The record's identifier as a person reads it: public identifiers grouped in fours, others as stored."""
        if len(self.object_id) == public_ids.LENGTH and set(self.object_id) <= set(public_ids.ALPHABET):
            return public_ids.display(self.object_id)
        return self.object_id

    @property
    def shown_survivor_id(self) -> str:
        """The survivor's public identifier, when the policy's query named her (`survivor_public_id`), grouped."""
        public_id = getattr(self, "survivor_public_id", None)
        return public_ids.display(public_id) if public_id else ""

    def canonical(self) -> bytes:
        """The bytes the hash covers: every field but the hash itself, in a fixed order and format.

        `event_type` came later (migration 0005): it is covered when the event has one, and left out when it has
        none, so an event written before it existed hashes to the very bytes it was chained with, and `audit verify`
        still holds for the whole trail. Blanking a typed event's type changes its hash as any other edit does.
        """
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
        if self.event_type:
            data["event_type"] = self.event_type
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class AuditEvent(ChainedEvent):
    """The hub's chain: every event except those about sealed-pathway records.

    Events written before the sealed chain existed (migration 0004) include sealed ones, flagged `sealed`; they stay
    where they are, since moving them would break the chain, and stay hidden from the hub's auditors.
    """

    class Meta(ChainedEvent.Meta):
        indexes = [
            models.Index(fields=["survivor_id", "at"], name="audit_survivor_idx"),
            models.Index(fields=["actor_id", "at"], name="audit_actor_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]


class SealedAuditEvent(ChainedEvent):
    """The sealed pathway's chain, seen only by the independent advisory service's own auditor. `sealed` is always
    true here, and covered by the hash, so an event moved between the chains is found by `audit verify`."""

    class Meta(ChainedEvent.Meta):
        indexes = [
            models.Index(fields=["survivor_id", "at"], name="audit_sealed_survivor_idx"),
            models.Index(fields=["actor_id", "at"], name="audit_sealed_actor_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_sealed_object_idx"),
            models.Index(fields=["at"], name="audit_sealed_at_idx"),
        ]

    def __str__(self) -> str:
        return f"Sealed audit event {self.seq}"
