"""Issue 12 figures: the work queues at 1,000,000 referrals on PostgreSQL, p95 target under 150 ms per page.

Times whole pages as a signed-in person gets them (Django's test client in-process: views, selectors, the policy,
templates; no network): the hub's triage queue (first page, filtered, and several pages deep by keyset), a
service manager's offers inbox and waiting list (unfiltered and filtered). The database is
`carehub_bench_queue` on 127.0.0.1:5432 (or --database-url); when it already holds at least --referrals referrals
it is reused as it is, otherwise it is created, migrated and seeded with `carehub seed --referrals N` (a few
minutes on PostgreSQL). Run it niced on a shared machine:

    nice -n 10 python benchmarks/queue_bench.py [--referrals 1000000] [--repeats 40] [--drop]

Prints JSON with p50/p95/max milliseconds per page and the query count of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/carehub_bench_queue"


def psql(url: str, statement: str, database: str = "postgres") -> str:
    base = url.rsplit("/", 1)[0]
    command = ["psql", f"{base}/{database}", "-Atc", statement]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()


def seeded_referrals(url: str) -> int:
    """How many referrals the benchmark database holds already (0 if it or its tables do not exist)."""
    name = url.rsplit("/", 1)[1]
    if psql(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        return 0
    count = psql(url, "SELECT count(*) FROM referrals_referral", database=name)
    return int(count) if count.isdigit() else 0


def prepare(url: str, referrals: int, env: dict[str, str]) -> float:
    """Create, migrate and seed the database unless it already holds enough referrals; the seconds it took."""
    if seeded_referrals(url) >= referrals:
        return 0.0
    name = url.rsplit("/", 1)[1]
    psql(url, f'DROP DATABASE IF EXISTS "{name}"')
    psql(url, f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    carehub = [sys.executable, "-m", "carehub.cli"]
    subprocess.run([*carehub, "migrate", "--verbosity", "0"], env=env, check=True)
    subprocess.run([*carehub, "seed", "--referrals", str(referrals)], env=env, check=True)
    return time.perf_counter() - started


def time_page(client, path: str, repeats: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm: templates compiled, the policy's memberships cached as in a session
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
        "queries": len(queries),
    }


def deep_path(client, path: str, pages: int) -> str:
    """The URL of the page `pages` pages in, following each page's Next link (keyset cursors)."""
    import re

    for _ in range(pages):
        html = client.get(path).content.decode()
        found = re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', html)
        if not found:
            break
        path = path.split("?")[0] + found.group(1).replace("&amp;", "&")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("QUEUE_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    args = parser.parse_args()

    env = {**os.environ, "DATABASE_URL": args.database_url, "PYTHONPATH": str(ROOT / "src")}
    env.setdefault("CAREHUB_VAR_DIR", str(ROOT / "var" / "queue-bench"))
    Path(env["CAREHUB_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    seed_seconds = prepare(args.database_url, args.referrals, env)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from carehub.accounts.models import User
    from carehub.cases.models import Case, CaseStatus
    from carehub.referrals.models import Offer, Referral

    setup_test_environment()  # the test client's host name is allowed
    # A password-free sign-in for the two clients; the lock-out log (django-axes) wants a client address it lacks.
    with override_settings(AXES_ENABLED=False):
        hub, manager = Client(), Client()
        hub.force_login(User.objects.get(username="hub"))
        manager.force_login(User.objects.get(username="manager"))
    hackney = "E09000012"
    pages = {
        "triage queue": (hub, "/referrals/queue/"),
        "triage queue, high risk": (hub, "/referrals/queue/?risk=high"),
        "triage queue, Hackney + IDVA need": (hub, f"/referrals/queue/?borough={hackney}&need=idva"),
        "triage queue, by-and-for wish + received": (hub, "/referrals/queue/?by_and_for=any&status=received"),
        "triage queue, 10 pages deep": (hub, deep_path(hub, "/referrals/queue/", 10)),
        "offers inbox": (manager, "/referrals/offers/"),
        "offers inbox, high risk": (manager, "/referrals/offers/?risk=high"),
        "waiting list": (manager, "/cases/waiting/"),
        "waiting list, medium risk + Hackney": (manager, f"/cases/waiting/?risk=medium&borough={hackney}"),
        "waiting list, 5 pages deep": (manager, deep_path(manager, "/cases/waiting/", 5)),
    }
    figures = {name: time_page(client, path, args.repeats) for name, (client, path) in pages.items()}
    report = {
        "database": "postgresql",
        "referrals": Referral.objects.count(),
        "in_triage_queue": Referral.objects.filter(sealed=False, status__in=["received", "in_triage"]).count(),
        "pending_offers": Offer.objects.filter(status="pending").count(),
        "waiting_cases": Case.objects.filter(status=CaseStatus.WAITING).count(),
        "seed_seconds": round(seed_seconds, 1),
        "repeats": args.repeats,
        "pages": figures,
    }
    print(json.dumps(report, indent=2))
    if args.drop:
        from django.db import connections

        connections.close_all()
        psql(args.database_url, f'DROP DATABASE IF EXISTS "{args.database_url.rsplit("/", 1)[1]}"')


if __name__ == "__main__":
    main()
