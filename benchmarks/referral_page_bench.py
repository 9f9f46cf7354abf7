"""Issue 12 figure: the referral page with her safe-contact panel, p95 target under 100 ms, on PostgreSQL.

Times whole pages as a signed-in person gets them (Django's test client in-process: session, views, the policy,
selectors, templates, and the audit events each read of her writes; no network), beside two anchors measured in the
same run: the health check (the framework's floor) and the hub worker's home (a signed-in page that reads nothing
about her). The referral is the newest high-risk referral in the triage queue; the demo seed records no safe-contact
answers, so the script seals a set for her under her own key, as intake does, before timing. Also timed: the same
woman's case page as her service's manager sees it (panel, situation and casework).

The database is `carehub_bench_referral_page` on 127.0.0.1:5432 (or --database-url), created, migrated and seeded
by benchmarks/queue_bench.py's `prepare` unless it already holds --referrals referrals. Run it niced:

    nice -n 10 python benchmarks/referral_page_bench.py [--referrals 100000] [--repeats 60] [--conn-max-age 600]

Prints JSON with p50/p95/max milliseconds per page and the query count of each.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queue_bench import ROOT, prepare, psql, time_page  # a sibling script, not a package

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/carehub_bench_referral_page"
SAFE_CONTACT = {
    "safe_contact": {
        "text_ok": True,
        "safe_times": "never call after 6pm",
        "safe_word": "BLUEBELL",
        "others_who_may_answer": "her mother-in-law",
    }
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("REFERRAL_PAGE_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="CAREHUB_DB_CONN_MAX_AGE: 0 (the default) opens a new connection, so a cold backend, per request",
    )
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "PYTHONPATH": str(ROOT / "src"),
        "CAREHUB_DB_CONN_MAX_AGE": str(args.conn_max_age),
    }
    env.setdefault("CAREHUB_VAR_DIR", str(ROOT / "var" / "referral-page-bench"))
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
    from carehub.cases.models import Case
    from carehub.referrals.models import Referral

    setup_test_environment()
    with override_settings(AXES_ENABLED=False):
        hub, manager = Client(), Client()
        hub.force_login(User.objects.get(username="hub"))
        manager.force_login(User.objects.get(username="manager"))
    queued = Referral.objects.filter(sealed=False, status__in=["received", "in_triage"], risk_level="high")
    referral = queued.order_by("-received_at").first()
    referral.contact_sealed = referral.survivor.seal_for(SAFE_CONTACT)
    referral.save(update_fields=["contact_sealed"])
    pages = {
        "health check (floor)": (hub, "/healthz"),
        "hub worker's home (signed-in anchor)": (hub, "/home/"),
        "referral page with safe-contact panel (hub worker)": (hub, f"/referrals/{referral.reference}/"),
    }
    # Her case page, for a manager of the service holding it: the same panel on the service side.
    managed = Case.objects.filter(
        sealed=False, status__in=["waiting", "open"], service__organisation__memberships__user__username="manager"
    )
    case = managed.select_related("referral", "survivor").order_by("-accepted_at").first()
    if case is not None:
        case.referral.contact_sealed = case.survivor.seal_for(SAFE_CONTACT)
        case.referral.save(update_fields=["contact_sealed"])
        pages["case page with safe-contact panel (service manager)"] = (manager, f"/cases/{case.public_id}/")
    for name, (client, path) in pages.items():
        body = client.get(path).content.decode()
        if "safe-contact panel" in name:
            assert "BLUEBELL" in body, f"{name}: the panel is not on the page"
    figures = {name: time_page(client, path, args.repeats) for name, (client, path) in pages.items()}
    report = {
        "database": "postgresql",
        "referrals": Referral.objects.count(),
        "seed_seconds": round(seed_seconds, 1),
        "repeats": args.repeats,
        "conn_max_age": args.conn_max_age,
        "pages": figures,
    }
    print(json.dumps(report, indent=2))
    if args.drop:
        from django.db import connections

        connections.close_all()
        psql(args.database_url, f'DROP DATABASE IF EXISTS "{args.database_url.rsplit("/", 1)[1]}"')


if __name__ == "__main__":
    main()
