"""Writing survivors' linkage keys in bulk (the seeder, benchmarks, `carehub repeats linkage-keys`).

One at a time, people.services writes them with her identity (they are people's table, people.models.LinkageRecord).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.people.linkage_keys import BatchKeys
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
                event=EventType.LINKAGE_KEYS_STORED,
            )
            stored += len(records)
            last_pk = survivors[-1].pk
    return stored
