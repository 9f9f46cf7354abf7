"""`carehub seed`: loads deterministic synthetic London data. Demo only: refuses to run when CAREHUB_ENV=production.

Creates fictional organisations, services and contracts, the demo personas and generated staff (all with the demo
password), survivors with sealed identities, referrals over the three years to --end-date, and cases; then writes
one audit event for the whole load. Deletes no data and changes no existing row; on PostgreSQL it drops and
re-creates the indexes and foreign keys of the tables it fills, inside its one transaction. Refuses a database that
already holds referrals; with --if-empty it does nothing there instead, so `make demo` can run it every time.
Same seed, same data (only the ciphertext differs: every survivor gets a fresh data key).

The data carry a planted effect of longer support on repeat referrals (demo.planted, issue 16): each extra 14 weeks
of support multiplies the hazard of a repeat referral after support ends by --planted-hazard-ratio (default 0.6,
so 26 weeks against 12 lowers the 12-month risk by a known amount), and women at higher risk are kept in support
longer and referred again more often. The true answer for the seeded women is printed and kept in the seed's audit
event; `carehub extract` then `carehub duration run` should find it. 1 plants no effect at all;
--no-planted-effect seeds the earlier demo instead (repeats from the timeline, no known answer).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carehub.demo.services import SeedRefused, demo_seed
from carehub.insight.duration.simulate import Planted


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--end-date must be YYYY-MM-DD, not {value!r}") from exc


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise CommandError(f"expected a number of at least 1, not {value}")
    return number


def _ratio(value: str) -> float:
    number = float(value)
    if not 0 < number <= 10:
        raise CommandError(f"expected a hazard ratio above 0, not {value}")
    return number


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--referrals", type=_positive, default=5000, help="How many referrals (default 5000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--end-date",
            type=_date,
            default=None,
            help=(
                "Last day of the three years of referrals (default: yesterday, so the newest referrals are hours old "
                "and waits read as they would in use). Same seed and same end date, same data."
            ),
        )
        parser.add_argument(
            "--years",
            type=_positive,
            default=3,
            help="Years of referrals up to --end-date (default 3; 6 gives the commissioning forecast history to judge "
            "the planted surge by).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any referral already exists.")
        parser.add_argument(
            "--workers", type=_positive, default=None, help="Processes that encrypt identities (default: up to 2)."
        )
        parser.add_argument(
            "--planted-hazard-ratio",
            type=_ratio,
            default=Planted.hazard_ratio,
            help="Hazard ratio of a repeat referral per extra 14 weeks of support (default 0.6; 1: no effect).",
        )
        parser.add_argument("--no-planted-effect", action="store_true", help="Plant no effect (the earlier demo).")

    def handle(self, *args, **options) -> None:
        progress = self.stdout.write if options["verbosity"] > 0 else None
        planted = None
        if not options["no_planted_effect"]:
            ratio = options["planted_hazard_ratio"]
            # No effect at all: support changes nothing, during it or after.
            planted = Planted(hazard_ratio=ratio, during_support=1.0 if ratio == 1 else Planted.during_support)
        try:
            report = demo_seed(
                referrals=options["referrals"],
                seed=options["seed"],
                end_date=options["end_date"],
                if_empty=options["if_empty"],
                workers=options["workers"],
                progress=progress,
                years=options["years"],
                planted=planted,
            )
        except SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        if report.skipped:
            self.stdout.write(f"Not seeding: {report.skipped} (--if-empty).")
            return
        counts = ", ".join(f"{n:,} {what}" for what, n in report.created.items() if what != "rows")
        self.stdout.write(self.style.SUCCESS(f"Seeded synthetic London in {report.total_seconds:.1f}s: {counts}."))
        if report.planted and options["verbosity"] > 0:
            p = report.planted
            self.stdout.write(
                f"Planted effect (hazard ratio {p['hazard_ratio']:g} per {p['block_weeks']:g} weeks of support): for "
                f"the {p['episodes']:,} episodes seeded, 26 rather than 12 weeks of support changes the 52-week risk "
                f"of a repeat referral from {p['risk_short']:.1%} to {p['risk_long']:.1%} "
                f"({1000 * p['risk_difference']:+.0f} per 1,000 women)."
            )
