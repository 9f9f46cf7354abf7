"""Loading synthetic London into the database (`carehub seed`): the plan, then bulk writes, then one audit event.

Writes everything in one transaction, so a failed seed leaves nothing behind. Refuses to run in production, and on a
database that already holds referrals (with `if_empty`, it does nothing instead and says why).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.models import Case
from carehub.demo.coproduction import write_coproduction
from carehub.demo.identities import sealing
from carehub.demo.load import (
    BULK_MODELS,
    write_allocations,
    write_assessments,
    write_cases,
    write_directory,
    write_measures,
    write_offers,
    write_referrals,
    write_staff,
    write_survivors,
)
from carehub.demo.plan import Plan, build_plan
from carehub.demo.writer import BulkWriter, next_id
from carehub.insight.duration.simulate import Planted
from carehub.people.models import DataKey, Survivor
from carehub.referrals.models import Referral

PARALLEL_FROM = 20_000  # survivors: below this, forking workers costs more than it saves


class SeedRefused(Exception):
    """The seeder will not run here (production, or a database that already has referrals)."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1  # processes that encrypted identities
    skipped: str = ""  # why nothing was done, when nothing was
    planted: dict = field(default_factory=dict)  # the planted effect's settings and true answer (demo.planted)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class _Clock:
    def __init__(self, report: SeedReport, progress: Callable[[str], None] | None) -> None:
        self.report, self.progress, self.last = report, progress, time.perf_counter()

    def lap(self, phase: str, detail: str = "") -> None:
        now = time.perf_counter()
        self.report.seconds[phase] = now - self.last
        self.last = now
        if self.progress:
            self.progress(f"{phase}: {self.report.seconds[phase]:.1f}s {detail}".rstrip())


def demo_seed(
    *,
    referrals: int,
    seed: int,
    end_date: dt.date | None = None,
    if_empty: bool = False,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    years: int = 3,
    planted: Planted | None = None,
) -> SeedReport:
    """Build synthetic London from `seed` and write it; same arguments, same data (ciphertext apart).

    With `planted`, support length and repeat referrals carry that known effect (demo.planted); the report holds
    the true answer for the episodes seeded.

    Without `end_date` the data end yesterday (plan.default_end_date), so the demo's waits read as they would in use.
    """
    if settings.PRODUCTION:
        raise SeedRefused("Refusing to seed synthetic data: CAREHUB_ENV is production.")
    report = SeedReport()
    existing = Referral.objects.count()
    if existing:
        if if_empty:
            report.skipped = f"the database already holds {existing} referrals"
            return report
        raise SeedRefused(f"The database already holds {existing} referrals: seed an empty database.")
    clock = _Clock(report, progress)
    plan = build_plan(referrals, seed, end_date, years, planted)
    if planted:
        report.planted = {
            "hazard_ratio": planted.hazard_ratio,
            "block_weeks": planted.block_weeks,
            "during_support": planted.during_support,
            **plan.planted_truth,
        }
    clock.lap("plan", f"({len(plan)} referrals, {len(plan.survivors)} survivors, {len(plan.cases)} cases)")
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(plan.survivors) >= PARALLEL_FROM else 1
    if workers > 1 and not connection.in_atomic_block:
        connection.close()  # forked workers must not inherit an open database connection
    report.workers = workers
    with sealing(plan.survivors, workers=workers) as sealed, transaction.atomic():
        _write(plan, sealed, clock, report)
    clock.lap("commit")
    return report


def _write(plan: Plan, sealed, clock: _Clock, report: SeedReport) -> None:
    writer = BulkWriter()
    org_ids, service_ids = write_directory(plan)
    user_ids = write_staff(plan, org_ids)
    clock.lap("directory and staff", f"({len(org_ids)} organisations, {len(service_ids)} services)")
    first = {model: next_id(model) for model in (DataKey, Survivor, Referral, Case)}
    with writer.bulk_load(*BULK_MODELS, rows=len(plan)):
        rows = write_referrals(writer, plan, first, org_ids, service_ids, user_ids)
        clock.lap("referrals")
        rows += write_cases(writer, plan, first, service_ids, user_ids)
        rows += write_allocations(writer, plan, first, user_ids)
        rows += write_measures(writer, plan, first, user_ids)
        clock.lap("cases, allocations and outcome measures")
        rows += write_assessments(writer, plan, first, user_ids)
        rows += write_offers(writer, plan, first, service_ids, user_ids)
        clock.lap("DASH assessments and offers")
        rows += write_survivors(writer, plan, first, sealed)
        clock.lap("survivors")
    clock.lap("indexes and foreign keys")
    writer.reset_sequences(DataKey, Survivor, Referral, Case)
    coproduction = write_coproduction(seed=plan.seed, end=plan.window.end)
    report.created |= {
        "organisations": len(org_ids),
        "services": len(service_ids),
        "users": len(user_ids),
        "survivors": len(plan.survivors),
        "referrals": len(plan),
        "cases": len(plan.cases),
        "outcome measures": len(plan.measures),
        "rows": rows,
        **coproduction,
    }
    audit.record(
        actor=None,
        action=Action.SEED,
        object_type="seed",
        changes={
            "seed": plan.seed,
            "end_date": plan.window.end.isoformat(),
            **report.created,
            **({"planted": report.planted} if report.planted else {}),
        },
        event=EventType.DATA_SEEDED,
    )
