"""Issue 19 figure: a retention run over 1,000,000 survivors of which 100,000 are due, on PostgreSQL (target under
5 minutes), beside its floor measured in the same run: one UPDATE destroying the same 100,000 data keys (rolled back).

Set-up (not timed): the database `carehub_bench_retention` on 127.0.0.1:5432 (or --database-url) is dropped,
created and migrated, then filled in the server with INSERT ... SELECT over generate_series, each table's rows
copied from one template row made by the real services (so every column holds what Care Hub writes) with the keys,
dates and statuses varied: per survivor a data key (the template's real wrapped key), her sealed identity, look-up
hashes, linkage keys, one referral with one status-change event, and one case at one service. Survivor g is:
- due when g % 10 == 0: referred in 2018, case closed in 2019 (6 years after: 2025; the run is for 2030-06-01);
- old but kept when g % 100 == 3: referred in 2018 naming children aged "2 and 5" (kept until the youngest is 25);
- otherwise recent: referred from 2024, a third of the cases still open.
The run is the real one (`retention.services.retention_run`, as `carehub retention run --apply` calls it): find
what is due, erase it in batches (keys destroyed, clear free text blanked, linkage keys deleted, an audit event per
woman), report, then VACUUM FULL the key table. Its phases are timed apart. A dry run is timed first.

    nice -n 19 python benchmarks/retention_bench.py [--survivors 1000000] [--database-url URL]

Prints JSON. The database is left behind (erased) for inspection; the next run drops it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/carehub_bench_retention"
BASE = 10_000_000  # bulk rows take ids from here; the template rows made through the services stay below
AS_OF = dt.date(2030, 6, 1)


def psql(url: str, statement: str, database: str = "postgres") -> str:
    base = url.rsplit("/", 1)[0]
    command = ["psql", f"{base}/{database}", "-Atc", statement]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def prepare_database(url: str, env: dict[str, str]) -> None:
    name = url.rsplit("/", 1)[1]
    psql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(url, f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "-m", "carehub.cli", "migrate", "--verbosity", "0"], env=env, check=True)


def templates() -> dict[str, int]:
    """One survivor, referral and case made by the real services: the rows every bulk row copies."""
    from django.utils import timezone

    from carehub.accounts.models import Organisation
    from carehub.cases.models import Case, CaseStatus
    from carehub.directory.models import Service
    from carehub.people.models import Identity
    from carehub.referrals import services
    from carehub.referrals.models import Channel

    identity = Identity(given_name="Template", family_name="Placeholder", date_of_birth=dt.date(1980, 1, 1))
    referral, _ = services.referral_create(
        actor=None,
        organisation=None,
        request=services.IntakeRequest(
            channel=Channel.SELF, identity=identity, details=services.ReferralDetails(needs=["idva"])
        ),
    )
    organisation = Organisation.objects.create(slug="bench-service", name="Bench service", kind="specialist")
    service = Service.objects.create(organisation=organisation, name="Bench IDVA", service_type="idva", capacity=10)
    now = timezone.now()
    case = Case.objects.create(
        referral=referral, survivor=referral.survivor, service=service, status=CaseStatus.CLOSED, accepted_at=now,
        opened_at=now, closed_at=now, closure_reason="completed",
    )  # fmt: skip
    return {
        "datakey": referral.survivor.data_key_id,
        "survivor": referral.survivor_id,
        "referral": referral.pk,
        "event": referral.events.first().pk,
        "case": case.pk,
    }


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", [table]
    )
    return [row[0] for row in cursor.fetchall()]


def insert_copies(cursor, table: str, key: str, template: int, n: int, overrides: dict[str, str]) -> None:
    """n rows of `table` copied from its row `key` = template, with some columns computed from g (0..n-1)."""
    columns = _columns(cursor, table)
    values = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} "
        f"FROM generate_series(0, {n - 1}) AS g CROSS JOIN (SELECT * FROM {table} WHERE {key} = {template}) AS t"
    )


DUE = "g % 10 = 0"
OLD = f"({DUE} OR g % 100 = 3)"


def fill(n: int) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    t = templates()
    with transaction.atomic(), connection.cursor() as cursor:
        insert_copies(cursor, "people_datakey", "id", t["datakey"], n, {"id": f"{BASE} + g"})
        insert_copies(
            cursor, "people_survivor", "id", t["survivor"], n,
            {
                "id": f"{BASE} + g", "data_key_id": f"{BASE} + g", "public_id": "'B' || lpad(g::text, 11, '0')",
                "email_lookup": "md5('e' || g)", "phone_lookup": "md5('p' || g)", "name_dob_lookup": "md5('n' || g)",
            },
        )  # fmt: skip
        linkage = {c: "substr(md5(g::text || 'k'), 1, 16)" for c in _columns(cursor, "repeats_linkagerecord")}
        cursor.execute(
            f"INSERT INTO repeats_linkagerecord ({', '.join(linkage)}) "
            f"SELECT {', '.join(linkage[c] if c != 'survivor_id' else f'{BASE} + g' for c in linkage)} "
            f"FROM generate_series(0, {n - 1}) AS g"
        )
        received = (
            f"CASE WHEN {OLD} THEN timestamptz '2018-01-15 10:00+00' + (g % 300) * interval '1 day' "
            "ELSE timestamptz '2024-01-15 10:00+00' + (g % 600) * interval '1 day' END"
        )
        insert_copies(
            cursor, "referrals_referral", "id", t["referral"], n,
            {
                "id": f"{BASE} + g", "survivor_id": f"{BASE} + g", "reference": "'CH-B' || lpad(g::text, 12, '0')",
                "received_at": received, "status": "'accepted'",
                "children_count": "CASE WHEN g % 100 = 3 THEN 2 END",
                "children_ages": "CASE WHEN g % 100 = 3 THEN '2 and 5' ELSE '' END",
                "agency_reference": "'CAD ' || g",
            },
        )  # fmt: skip
        insert_copies(
            cursor, "referrals_referralevent", "id", t["event"], n,
            {"id": f"{BASE} + g", "referral_id": f"{BASE} + g", "at": received, "note": "'case closed'"},
        )  # fmt: skip
        closed = f"CASE WHEN {OLD} THEN timestamptz '2019-03-01 10:00+00' + (g % 300) * interval '1 day' " + (
            "WHEN g % 3 = 0 THEN NULL ELSE timestamptz '2025-03-01 10:00+00' + (g % 200) * interval '1 day' END"
        )
        insert_copies(
            cursor, "cases_case", "id", t["case"], n,
            {
                "id": f"{BASE} + g", "referral_id": f"{BASE} + g", "survivor_id": f"{BASE} + g",
                "public_id": "'C' || lpad(g::text, 11, '0')", "accepted_at": received, "opened_at": received,
                "closed_at": closed, "status": f"CASE WHEN {OLD} OR g % 3 <> 0 THEN 'closed' ELSE 'open' END",
            },
        )  # fmt: skip
        for table in (
            "people_datakey", "people_survivor", "referrals_referral", "referrals_referralevent", "cases_case",
        ):  # fmt: skip
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def floor(n: int) -> float:
    """One UPDATE destroying the keys of exactly the survivors due, rolled back: what the run's key destruction
    cannot beat."""
    from django.db import connection, transaction

    ids = [BASE + g for g in range(0, n, 10)]
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("UPDATE people_datakey SET wrapped = NULL, destroyed_at = now() WHERE id = ANY(%s)", [ids])
        elapsed = time.perf_counter() - started
        assert cursor.rowcount == len(ids)
        transaction.set_rollback(True)
    return elapsed


def timed_run(apply: bool) -> tuple[float, dict, dict]:
    """The run, with its phases timed by wrapping them where retention_run calls them."""
    from carehub.retention import due, services

    phases: dict[str, float] = {}

    def timing(module, name: str, label: str):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                phases[label] = round(time.perf_counter() - started, 1)

        setattr(module, name, wrapper)
        return original

    originals = [
        (due, "find_due", timing(due, "find_due", "find what is due")),
        (services, "shred", timing(services, "shred", "erase (keys, free text, audit)")),
        (
            services.people_services,
            "data_keys_vacuum",
            timing(services.people_services, "data_keys_vacuum", "VACUUM FULL of the key table"),
        ),
    ]
    try:
        started = time.perf_counter()
        run = services.retention_run(apply=apply, as_of=AS_OF)
        total = time.perf_counter() - started
    finally:
        for module, name, original in originals:
            setattr(module, name, original)
    return total, phases, {"hub": run.counts, "sealed": run.sealed_counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--survivors", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": args.database_url, "CAREHUB_TASKS_BACKEND": "immediate"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    prepare_database(args.database_url, env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    fill_seconds = fill(args.survivors)
    load_before = os.getloadavg()
    floor_seconds = floor(args.survivors)
    dry_seconds, dry_phases, dry_counts = timed_run(apply=False)
    apply_seconds, apply_phases, apply_counts = timed_run(apply=True)
    from carehub.people.models import Survivor

    result = {
        "survivors": args.survivors,
        "fill_seconds": round(fill_seconds, 1),
        "floor_update_100k_keys_seconds": round(floor_seconds, 2),
        "dry_run": {"seconds": round(dry_seconds, 1), "phases": dry_phases, "counts": dry_counts},
        "applied_run": {"seconds": round(apply_seconds, 1), "phases": apply_phases, "counts": apply_counts},
        "erased_after": Survivor.objects.filter(erased_at__isnull=False).count(),
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
