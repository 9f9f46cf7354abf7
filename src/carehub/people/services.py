"""Writes to survivors' records: create with sealed identity, erase by destroying the key, rotate wrapping keys."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.core.rows import insert_together
from carehub.core.services import ServiceError
from carehub.people import crypto
from carehub.people.linkage_keys import linkage_keys
from carehub.people.models import DataKey, Identity, LinkageRecord, Survivor, lookups_for
from carehub.people.monitoring import EQUALITY_FIELDS, IMMIGRATION_FIELDS

_EQUALITY_AND_IMMIGRATION = frozenset(EQUALITY_FIELDS + IMMIGRATION_FIELDS)


@dataclass(frozen=True)
class NewSurvivor:
    """A survivor ready to be inserted: her rows in the order they must be written, and her audit details."""

    survivor: Survivor
    rows: tuple[Model, ...]
    equality_fields: tuple[str, ...]
    sealed: bool


def survivor_prepare(*, identity: Identity, equality: dict | None = None, sealed: bool = False) -> NewSurvivor:
    """Everything survivor_create does before writing: checks, sealing, keys. Nothing touches the database.

    A caller that writes her together with other rows (a referral's intake) inserts `rows` with
    core.rows.insert_together, then calls survivor_created.
    """
    equality = equality or {}
    unknown = set(equality) - _EQUALITY_AND_IMMIGRATION
    if unknown:
        raise ValueError(f"not equality fields: {sorted(unknown)}")
    wrapped = crypto.new_wrapped_data_key()
    survivor = Survivor(
        identity_sealed=crypto.seal(wrapped, identity.to_payload()), **lookups_for(identity), **equality
    )
    survivor.full_clean(exclude=["data_key"])  # before any write, so a refusal leaves the caller's transaction usable
    survivor.data_key = DataKey(wrapped=wrapped)
    rows: list[Model] = [survivor.data_key, survivor]
    if not sealed:
        rows.append(LinkageRecord(survivor=survivor, **linkage_keys(identity)))
    return NewSurvivor(survivor=survivor, rows=tuple(rows), equality_fields=tuple(sorted(equality)), sealed=sealed)


def survivor_created(*, actor, new: NewSurvivor) -> None:
    """The audit event for a survivor whose rows have just been inserted, in the same transaction.

    Only the names of the equality fields given: the answers are personal data and stay out of the trail. `sealed`
    is passed, not looked up: she has no referral yet, and the look-up would cost a query per survivor.
    """
    audit.record_for(
        actor,
        Action.CREATE,
        new.survivor,
        changes={"equality_fields": list(new.equality_fields)},
        sealed=new.sealed,
        event=EventType.SURVIVOR_CREATED,
    )


def survivor_create(*, actor, identity: Identity, equality: dict | None = None, sealed: bool = False) -> Survivor:
    """A new survivor whose identity is sealed under a fresh data key of her own.

    `sealed=True` when she comes in through the sealed pathway: her referral does not exist yet, so the audit event
    cannot find out for itself that only the independent service's auditor may see it. Her linkage keys (for
    recognising her if she comes back) are stored with her identity, except on the sealed pathway: those survivors
    are never matched with anyone.
    """
    new = survivor_prepare(identity=identity, equality=equality, sealed=sealed)
    with transaction.atomic():
        insert_together(*new.rows)
        survivor_created(actor=actor, new=new)
    return new.survivor


def survivor_erase(*, actor, survivor: Survivor, reason: str) -> None:
    """Erase a survivor's identity everywhere by destroying her data key.

    Her referrals and cases remain as anonymous statistics (equality data, dates, outcomes); the keyed look-up
    hashes and her linkage keys go too, so she can no longer be found by her email or phone, nor suggested as anyone's
    earlier referral.
    """
    if not reason.strip():
        raise ValueError("a reason is required to erase a survivor's identity")
    with transaction.atomic():
        now = timezone.now()
        DataKey.objects.filter(pk=survivor.data_key_id).update(wrapped=None, destroyed_at=now)
        Survivor.objects.filter(pk=survivor.pk).update(
            erased_at=now, email_lookup="", phone_lookup="", name_dob_lookup=""
        )
        LinkageRecord.objects.filter(survivor_id=survivor.pk).delete()  # she can no longer be anyone's earlier referral
        audit.record_for(actor, Action.ERASE, survivor, reason=reason, event=EventType.SURVIVOR_ERASED)
    survivor.refresh_from_db()
    survivor.data_key.refresh_from_db()
    survivor.__dict__.pop("_identity_cache", None)


def data_keys_rotate(*, actor, batch_size: int = 2000) -> int:
    """Re-wrap every live data key under the newest key in CAREHUB_FIELD_KEYS; returns how many.

    After this, the older keys can be removed from CAREHUB_FIELD_KEYS. Records themselves are not re-encrypted:
    their data keys do not change. Destroyed keys stay destroyed. Each batch commits with its own audit event, so a
    rotation stopped half way is recorded as far as it went, and running it again finishes it.
    """
    rotated = 0
    last_pk = 0
    now = timezone.now()
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update()
                .filter(pk__gt=last_pk, wrapped__isnull=False)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            for key in batch:
                key.wrapped = crypto.rewrap(key.wrapped)
                key.rotated_at = now
            DataKey.objects.bulk_update(batch, ["wrapped", "rotated_at"])
            audit.record(
                actor=actor,
                action=Action.KEY_ROTATION,
                object_type="datakey",
                changes={"rotated": len(batch), "first_key": batch[0].pk, "last_key": batch[-1].pk},
                event=EventType.DATA_KEYS_ROTATED,
            )
            rotated += len(batch)
            last_pk = batch[-1].pk
    if not rotated:
        audit.record(
            actor=actor,
            action=Action.KEY_ROTATION,
            object_type="datakey",
            changes={"rotated": 0},
            event=EventType.DATA_KEYS_ROTATED,
        )
    return rotated


def survivors_erase(*, actor, survivor_ids: list[int], sealed_ids: set[int], reason: str) -> list[int]:
    """Erase many survivors at once, as survivor_erase erases one: their data keys destroyed, look-up hashes and
    linkage keys gone, one SURVIVOR_ERASED event each (a sealed-pathway survivor's in the sealed chain).

    For retention (carehub.retention) and erasure on request, which decide who; set-based, so a run that reaches a
    hundred thousand survivors costs a few statements per batch, not a few per woman. `sealed_ids` says which of
    them came in through the sealed pathway: the caller already knows, and asking per survivor would cost a query
    each. Call it inside the caller's transaction. Returns those erased (already-erased ones are skipped).
    """
    if not reason.strip():
        raise ValueError("a reason is required to erase a survivor's identity")
    now = timezone.now()
    rows = list(
        Survivor.objects.filter(pk__in=survivor_ids, erased_at__isnull=True).values_list(
            "pk", "public_id", "data_key_id"
        )
    )
    if not rows:
        return []
    ids = [pk for pk, _, _ in rows]
    with transaction.atomic(), audit.batched():
        DataKey.objects.filter(pk__in=[key for _, _, key in rows]).update(wrapped=None, destroyed_at=now)
        Survivor.objects.filter(pk__in=ids).update(erased_at=now, email_lookup="", phone_lookup="", name_dob_lookup="")
        LinkageRecord.objects.filter(survivor_id__in=ids).delete()
        for pk, public_id, _ in rows:
            audit.record(
                actor=actor,
                action=Action.ERASE,
                object_type="survivor",
                object_id=public_id,
                survivor_id=pk,
                sealed=pk in sealed_ids,
                reason=reason,
                event=EventType.SURVIVOR_ERASED,
            )
    return ids


def data_keys_vacuum() -> int:
    """Make destroyed data keys unrecoverable from the key table's own pages, after erasures.

    SQLite needs nothing: Care Hub opens it with `secure_delete`, which overwrites freed space at once. On PostgreSQL,
    an UPDATE leaves the old row version in the page, and a plain VACUUM compacts the page without clearing the
    hole it leaves, so the wrapped key of the row nearest the free space can survive in the file (seen on 15).
    VACUUM FULL rewrites the table into new files: the key bytes are no longer in any page of it. It locks the key
    table (identities cannot be read) for the seconds the rewrite takes, so retention runs it once, after a run
    that erased someone. Runs outside any transaction (VACUUM refuses one).

    MVCC keeps an old row version that an open snapshot may still see, and VACUUM FULL copies such versions too;
    any transaction on the server holds that horizon back, in any database (a snapshot's xmin is the oldest running
    transaction of the whole cluster), so a long pg_dump of another database does. Returns how many other sessions
    held a snapshot or a transaction as it ran (0: nothing could hold a destroyed key back); the caller reports a
    non-zero answer, and the next run's vacuum removes what this one had to keep.
    """
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL)"
        )
        holding = cursor.fetchone()[0]
        cursor.execute(f"VACUUM FULL {DataKey._meta.db_table}")
    return holding


RECTIFIABLE_FIELDS = frozenset(EQUALITY_FIELDS + IMMIGRATION_FIELDS)


def survivor_rectify(
    *, actor, survivor: Survivor, identity: Identity | None = None, monitoring: dict | None = None, reason: str
) -> list[str]:
    """Correct her identity and monitoring answers (her right to rectification); returns the names of what changed.

    The identity is sealed afresh under her own data key, with its look-up hashes and linkage keys, so the old values
    are gone from her row; the audit event keeps only the fact of the change, the field names, never a value old or
    new. Nothing is written (and no event) when nothing differs. An erased survivor cannot be corrected: her key is
    destroyed, and a new identity sealed under nothing would undo the erasure.
    """
    if not reason.strip():
        raise ServiceError("Give the reason for the correction.", field="reason")
    monitoring = monitoring or {}
    unknown = set(monitoring) - RECTIFIABLE_FIELDS
    if unknown:
        raise ValueError(f"not monitoring fields: {sorted(unknown)}")
    current = survivor.identity
    if survivor.is_erased or current is None:
        raise ServiceError("Her identity has been erased: there is nothing left to correct.")
    identity_changed = (
        [name for name, value in identity.to_payload().items() if current.to_payload().get(name) != value]
        if identity is not None
        else []
    )
    monitoring_changed = sorted(name for name, value in monitoring.items() if getattr(survivor, name) != value)
    if not identity_changed and not monitoring_changed:
        return []
    with transaction.atomic():
        updates: dict = {name: monitoring[name] for name in monitoring_changed}
        if identity_changed:
            updates["identity_sealed"] = crypto.seal(survivor.data_key.wrapped, identity.to_payload())
            updates.update(lookups_for(identity))
        for name, value in updates.items():
            setattr(survivor, name, value)
        survivor.full_clean(exclude=["data_key", "person"])
        Survivor.objects.filter(pk=survivor.pk).update(**updates)
        if identity_changed:
            LinkageRecord.objects.filter(survivor_id=survivor.pk).update(**linkage_keys(identity))
        audit.record_for(
            actor,
            Action.UPDATE,
            survivor,
            reason=reason.strip(),
            changes={"identity_fields": identity_changed, "monitoring_fields": monitoring_changed},
            event=EventType.SURVIVOR_RECTIFIED,
        )
    survivor.__dict__.pop("_identity_cache", None)
    return identity_changed + monitoring_changed
