"""Writes of the retention app: legal holds, and retention runs that crypto-shred what reached its date.

Erasing a survivor here means, in one transaction per batch:
- her data key is destroyed (people.survivors_erase): her identity and every note sealed under her key, in every
  app (referrals' contact details, summary, consent reasons and DASH fears; cases' goals, plans, contacts,
  documents and closure notes; MARAC actions; the independent service's disclosures) can no longer be opened,
  in this database or in any backup restored with a later key dump (README, "Backups");
- the free text about her that was written in the clear is blanked by the app that owns it (referrals, repeats,
  the independent service, break-glass grants, and this app's legal hold reasons);
- her statistical rows stay: referral, case, offer and outcome rows with their codes and dates, and her equality
  monitoring answers, which the extract and the equality and commissioning analyses count. They identify no one
  once her identity, look-up hashes and linkage keys are gone.
Audit events are never deleted (the chains are append-only and outlive the records: schedule.audit_event_years).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from carehub.accounts import services as account_services
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.core.services import ServiceError
from carehub.independent import services as independent_services
from carehub.people import services as people_services
from carehub.people.models import Survivor
from carehub.referrals import services as referral_services
from carehub.repeats import services as repeat_services
from carehub.retention import due as due_module
from carehub.retention import schedule as rules
from carehub.retention.models import LegalHold, RetentionRun, RunMode

BATCH = 5000
MINIMUM_REASON_LENGTH = 10


class RetentionError(ServiceError):
    """A legal hold or retention run that cannot be carried out, in words a person understands."""


def _sealed(survivor: Survivor) -> bool:
    return survivor.referrals.filter(sealed=True).exists()


def legal_hold_place(*, actor, survivor: Survivor, reason: str) -> LegalHold:
    """Stop retention and erasure of her records until the hold is lifted. Who may is the policy's to decide
    (accounts.policy.can_place_legal_hold); the reason says what requires the records, never her name.

    The reason is kept on the hold alone, never in the audit event: an audit event can never be blanked (each is
    hashed into its chain), so a name typed into a reason by mistake would outlive her erasure there. On the hold it
    is blanked when she is erased (shred), as every other free text written in the clear about her."""
    reason = reason.strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise RetentionError(
            f"Give the reason for the hold in at least {MINIMUM_REASON_LENGTH} characters.", field="reason"
        )
    if survivor.is_erased:
        raise RetentionError("Her records have already been erased: there is nothing left to hold.")
    sealed = _sealed(survivor)
    with transaction.atomic():
        hold = LegalHold.objects.create(
            survivor=survivor, sealed=sealed, reason=reason, placed_by=actor, placed_at=timezone.now()
        )
        audit.record(
            actor=actor,
            action=Action.CREATE,
            object_type="legalhold",
            object_id=hold.public_id,
            survivor_id=survivor.pk,
            sealed=sealed,
            event=EventType.LEGAL_HOLD_PLACED,
        )
    return hold


def legal_hold_lift(*, actor, hold: LegalHold, reason: str) -> LegalHold:
    """Lift a hold: the row stays, with who lifted it, when and why; retention reaches her again from the next run."""
    reason = reason.strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise RetentionError(
            f"Give the reason for lifting it in at least {MINIMUM_REASON_LENGTH} characters.", field="reason"
        )
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            raise RetentionError("This hold has already been lifted.")
        locked.lifted_at, locked.lifted_by, locked.lift_reason = timezone.now(), actor, reason
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            object_type="legalhold",
            object_id=locked.public_id,
            survivor_id=locked.survivor_id,
            sealed=locked.sealed,
            event=EventType.LEGAL_HOLD_LIFTED,
        )
    return locked


def shred(*, actor, survivor_ids: list[int], sealed_ids: set[int], reason: str) -> list[int]:
    """Erase these survivors as the module docstring says: keys destroyed, clear free text blanked, statistics kept.

    Also the erasure the rights app carries out after an erasure request is decided; it checks the legal hold
    itself first (on_legal_hold), and so does this, per batch, under the same transaction: a hold placed
    while a run is going is never overtaken by it. Returns those erased.
    """
    erased: list[int] = []
    for start in range(0, len(survivor_ids), BATCH):
        batch = survivor_ids[start : start + BATCH]
        with transaction.atomic():
            held = set(
                LegalHold.objects.filter(survivor_id__in=batch, lifted_at__isnull=True).values_list(
                    "survivor_id", flat=True
                )
            )
            batch = [pk for pk in batch if pk not in held]
            if not batch:
                continue
            referral_services.free_text_clear(survivor_ids=batch)
            repeat_services.free_text_clear(survivor_ids=batch)
            independent_services.free_text_clear(survivor_ids=batch)
            account_services.break_glass_reasons_clear(survivor_ids=batch)
            # Her lifted holds' reasons: what required her records, typed in the clear (the row stays: who held
            # them, when, and who lifted the hold). Held survivors are not in the batch, so no active hold is blanked.
            LegalHold.objects.filter(survivor_id__in=batch).update(reason="", lift_reason="")
            erased += people_services.survivors_erase(
                actor=actor, survivor_ids=batch, sealed_ids=sealed_ids & set(batch), reason=reason
            )
    return erased


def on_legal_hold(survivor: Survivor) -> bool:
    """True while any hold on her is not lifted: retention and erasure on request must both leave her records be."""
    return LegalHold.objects.filter(survivor_id=survivor.pk, lifted_at__isnull=True).exists()


def applied_before() -> bool:
    """Whether any run has been applied: until one has, runs are dry unless an operator asks for --apply."""
    return RetentionRun.objects.filter(mode=RunMode.APPLIED).exists()


def _vacuum_owed() -> bool:
    """The last applied run's vacuum had to keep old key versions that open snapshots could see: this one removes
    them, even when it erases no one."""
    last = RetentionRun.objects.filter(mode=RunMode.APPLIED).order_by("-started_at", "-pk").first()
    return bool(last and last.counts.get("vacuum_snapshots_in_the_way"))


def retention_run(*, actor=None, apply: bool, as_of: dt.date | None = None) -> RetentionRun:
    """List (apply=False) or erase (apply=True) every survivor whose records reached their date on `as_of`.

    Writes a RetentionRun (counts only) and audit events: one for the run in the hub's chain with the hub's counts,
    one in the sealed chain with the sealed pathway's (only when it has any, so the hub's trail never shows when
    a sealed record fell due), and SURVIVOR_ERASED per woman erased, in her own chain.
    """
    schedule = rules.current()
    as_of = as_of or timezone.localdate()
    started = timezone.now()
    found = due_module.find_due(as_of=as_of, schedule=schedule)
    erased: list[int] = []
    if apply:
        erased = shred(
            actor=actor,
            survivor_ids=found.survivor_ids,
            sealed_ids=found.sealed_ids,
            reason=f"retention schedule: records due on or before {as_of.isoformat()}",
        )
    snapshots_in_the_way = 0
    if apply and (erased or _vacuum_owed()) and not transaction.get_connection().in_atomic_block:
        snapshots_in_the_way = people_services.data_keys_vacuum()
    counts, sealed_counts = dict(found.counts), dict(found.sealed_counts)
    if apply:
        sealed_erased = sum(1 for pk in erased if pk in found.sealed_ids)
        counts["erased"] = len(erased) - sealed_erased
        if sealed_erased or sealed_counts:
            sealed_counts["erased"] = sealed_erased
        if snapshots_in_the_way:
            # Sessions whose snapshots may still see a destroyed key's old row version: the vacuum kept those
            # versions; the next run's vacuum removes them (README, "Erasure").
            counts["vacuum_snapshots_in_the_way"] = snapshots_in_the_way
    mode = RunMode.APPLIED if apply else RunMode.DRY_RUN
    event = EventType.RETENTION_RUN_APPLIED if apply else EventType.RETENTION_RUN_LISTED
    with transaction.atomic():
        run = RetentionRun.objects.create(
            mode=mode,
            started_at=started,
            finished_at=timezone.now(),
            as_of=as_of,
            counts=counts,
            sealed_counts=sealed_counts,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor=actor,
            action=Action.ERASE if apply else Action.LIST,
            object_type="retentionrun",
            object_id=run.public_id,
            changes={"as_of": as_of.isoformat(), "mode": str(mode), "counts": counts},
            event=event,
        )
        if sealed_counts:
            audit.record(
                actor=actor,
                action=Action.ERASE if apply else Action.LIST,
                object_type="retentionrun",
                object_id=run.public_id,
                sealed=True,
                changes={"as_of": as_of.isoformat(), "mode": str(mode), "counts": sealed_counts},
                event=event,
            )
    return run
