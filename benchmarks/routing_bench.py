"""Issue 3 figure: routing one referral against 1,000 services, target under 20 ms.

Builds a throwaway database (SQLite in a temporary folder, or --database-url for PostgreSQL) with 1,000 services
across London and a few thousand open cases, then times `selectors.routing_for` as a hub worker meets it (the
directory kept in memory: see referrals/directory_snapshot.py), just after a case changed (open cases counted
again), a fresh read of everything, and the ranking alone. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="carehub-routing-")
    os.environ["CAREHUB_VAR_DIR"] = tmp
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/routing.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from carehub.accounts.models import Organisation
    from carehub.cases.models import Case, CaseStatus
    from carehub.core.choices import Community, Language, ServiceType
    from carehub.core.london import BOROUGHS
    from carehub.directory.models import Service
    from carehub.people.models import Identity
    from carehub.people.services import survivor_create
    from carehub.referrals import directory_snapshot, routing, selectors
    from carehub.referrals.models import Referral

    rng = random.Random(3)
    boroughs = list(BOROUGHS)
    types = [t for t in ServiceType.values if t != ServiceType.INDEPENDENT_ADVISORY]
    orgs = [
        Organisation.objects.create(
            slug=f"org-{i}",
            name=f"Organisation {i}",
            kind=Organisation.Kind.BY_AND_FOR if i % 4 == 0 else Organisation.Kind.SPECIALIST,
            led_by_and_for=[rng.choice(Community.values)] if i % 4 == 0 else [],
        )
        for i in range(200)
    ]
    Service.objects.bulk_create(
        Service(
            organisation=rng.choice(orgs),
            name=f"Service {i}",
            service_type=rng.choice(types),
            languages=rng.sample(Language.values, 3),
            specialisms=[],
            covers_all_london=rng.random() < 0.2,
            boroughs=rng.sample(boroughs, 4),
            capacity=rng.randint(10, 80),
            current_wait_days=rng.randint(0, 60),
            accepting_referrals=rng.random() < 0.9,
            accepts_nrpf=rng.random() < 0.7,
        )
        for i in range(args.services)
    )
    survivor = survivor_create(actor=None, identity=Identity(given_name="Bench"), equality={})
    referral = Referral.objects.create(
        survivor=survivor,
        channel="self",
        received_at=timezone.now(),
        borough="E09000030",
        needs=["idva", "outreach"],
        wants_by_and_for="black_minoritised",
        language="so",
        age_at_referral=30,
    )
    services = list(Service.objects.all())
    Case.objects.bulk_create(
        Case(
            referral=referral,
            survivor=survivor,
            service=rng.choice(services),
            status=CaseStatus.OPEN,
            accepted_at=timezone.now(),
        )
        for _ in range(5000)
    )

    def timed(fn) -> list[float]:
        out = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
        return sorted(out)

    def fresh_read() -> None:
        routing.rank(selectors.routing_need(referral), routing.load_services())

    def after_a_case_changed() -> None:
        directory_snapshot.changed(directory_snapshot.OPEN_CASES)  # as when any case opens or closes
        selectors.routing_for(referral)

    cold = timed(fresh_read)
    selectors.routing_for(referral)
    full = timed(lambda: selectors.routing_for(referral))
    recount = timed(after_a_case_changed)
    facts = routing.load_services()
    need = selectors.routing_need(referral)
    rank_only = timed(lambda: routing.rank(need, facts))
    ranked, excluded = routing.rank(need, facts)
    assert directory_snapshot.routing_services() == facts, "the snapshot must equal a fresh read"

    def summary(values):
        return {
            "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(values[int(0.95 * len(values))], 2),
            "max_ms": round(values[-1], 2),
        }

    print(
        json.dumps(
            {
                "database": "postgresql" if args.database_url else "sqlite",
                "services": args.services,
                "eligible": len(ranked),
                "excluded": len(excluded),
                "routing_for (directory kept in memory, the usual case)": summary(full),
                "routing_for just after a case opened or closed (open cases recounted)": summary(recount),
                "fresh read of directory + open cases + rank (first referral, or after a directory change)": summary(
                    cold
                ),
                "rank only": summary(rank_only),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
