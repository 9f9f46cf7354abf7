"""Issue 19 figure: a subject access pack for a survivor with 10 referrals and 500 case notes, target under 5 s.

Builds her records in a fresh database of its own (SQLite in a temporary folder, or PostgreSQL with
--database-url, a database this script creates and drops): one woman, 10 referrals routed to one service (each with
its sealed contact details naming her GP, an agency summary, two consents, one withdrawn, a DASH assessment and an
offer), a case for each, and 500 contacts with sealed notes spread over the cases (50 each). Then times, in the same
run and on the same rows:

- floor: reading those rows (survivor, referrals, consents, assessments, cases, contacts) as the pack reads them,
  without unsealing or building anything;
- floor + unsealing: the same rows with every sealed note and field opened (the pack cannot do less);
- pack: `rights.pack.build` then `redact` (a passage, a withheld item, staff names left out), then the JSON and the
  HTML renderings, as a release and its two downloads produce them;
- release: `rights.services.subject_access_release` whole (build, redact, seal the pack, save, audit).

    nice -n 19 python benchmarks/sar_bench.py [--repeats 7] [--database-url postgres://.../carehub_sar_bench]

Prints JSON: median and max seconds for each, the pack's size, and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERRALS = 10
NOTES = 500


def _timed(repeats: int, work) -> dict:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4)}


def _postgres(url: str, statement: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement)


def seed():
    """Her records: returns the open subject access request for them."""
    import datetime as dt

    from django.utils import timezone

    from carehub.accounts.models import Membership, Organisation, Role, User
    from carehub.cases.models import Case, CaseStatus, Contact, ContactKind
    from carehub.directory.models import Service
    from carehub.people.models import Identity
    from carehub.people.services import survivor_create
    from carehub.referrals.models import Consent, ConsentKind, DashAssessment, Offer, Referral, Status
    from carehub.rights import services

    org = Organisation.objects.create(slug="bench-service", name="Bench Women's Service", kind="specialist")
    service = Service.objects.create(organisation=org, name="Bench IDVA", service_type="idva", covers_all_london=True)
    manager = User.objects.create(username="manager", full_name="Morwenna Bench")
    worker = User.objects.create(username="worker", full_name="Wilhelmina Casework")
    for user, role in ((manager, Role.SERVICE_MANAGER), (worker, Role.CASEWORKER)):
        Membership.objects.create(user=user, organisation=org, role=role)
    identity = Identity(given_name="Benedetta", family_name="Benchmarker", date_of_birth=dt.date(1988, 2, 3))
    survivor = survivor_create(actor=None, identity=identity, equality={"ethnicity": "black_african"})
    now = timezone.now()
    for n in range(REFERRALS):
        at = now - dt.timedelta(days=400 - 30 * n)
        referral = Referral.objects.create(
            survivor=survivor,
            channel="professional",
            received_at=at,
            status=Status.ACCEPTED,
            routed_service=service,
            abuse_types=["physical", "coercive_control"],
            needs=["idva"],
            contact_sealed=survivor.seal_for(
                {"safe_contact": {"text_ok": True, "safe_times": "mornings"}, "referrer": {"name": "Dr Gideon Vale"}}
            ),
            summary_sealed=survivor.seal_for({"summary": f"Referral {n}: Dr Gideon Vale is worried about her."}),
        )
        given = Consent.objects.create(referral=referral, kind=ConsentKind.SHARING, given=True, recorded_at=at)
        Consent.objects.create(
            referral=referral, kind=ConsentKind.SHARING, given=False, recorded_at=at, supersedes=given
        )
        DashAssessment.objects.create(
            referral=referral,
            answers={str(q): "no" for q in range(1, 25)},
            score=0,
            high_risk=False,
            marac_referral=False,
            rules_version="bench",
            assessed_at=at,
            assessed_by=worker,
        )
        Offer.objects.create(referral=referral, service=service, status="accepted", offered_at=at)
        case = Case.objects.create(
            referral=referral,
            survivor=survivor,
            service=service,
            caseworker=worker,
            status=CaseStatus.OPEN,
            accepted_at=at,
            opened_at=at,
        )
        Contact.objects.bulk_create(
            Contact(
                case=case,
                kind=ContactKind.CALL,
                on=(at + dt.timedelta(days=k)).date(),
                minutes=30,
                note_sealed=survivor.seal_for(
                    {
                        "note": f"Note {k}: talked with her about safety. Dr Gideon Vale called. Wilhelmina Casework "
                        "arranged the next session. The neighbour saw it."
                    }
                ),
                recorded_at=at,
                recorded_by=worker,
            )
            for k in range(NOTES // REFERRALS)
        )
    request = services.subject_access_open(
        actor=manager, survivor=survivor, organisation=org, received_on=timezone.localdate()
    )
    return manager, request


def floor(request, *, unseal: bool) -> int:
    """Read the rows the pack reads (and, with `unseal`, open every sealed field), building nothing."""
    from carehub.cases.models import Case, Contact
    from carehub.referrals.models import Consent, DashAssessment, Offer, Referral

    survivor = request.survivor
    referrals = list(Referral.objects.filter(survivor=survivor))
    ids = [r.pk for r in referrals]
    consents = list(Consent.objects.filter(referral_id__in=ids))
    assessments = list(DashAssessment.objects.filter(referral_id__in=ids))
    offers = list(Offer.objects.filter(referral_id__in=ids))
    cases = list(Case.objects.filter(survivor=survivor))
    contacts = list(Contact.objects.filter(case_id__in=[c.pk for c in cases]))
    if unseal:
        for token in [r.contact_sealed for r in referrals] + [r.summary_sealed for r in referrals]:
            survivor.unseal(token)
        for contact in contacts:
            survivor.unseal(contact.note_sealed)
    return len(referrals) + len(consents) + len(assessments) + len(offers) + len(cases) + len(contacts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to create, use and drop")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    load_before = os.getloadavg()
    work = tempfile.TemporaryDirectory()
    os.environ["CAREHUB_VAR_DIR"] = work.name
    os.environ["DJANGO_SETTINGS_MODULE"] = "carehub.settings"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        name = args.database_url.rsplit("/", 1)[1]
        _postgres(args.database_url, f'DROP DATABASE IF EXISTS "{name}"')
        _postgres(args.database_url, f'CREATE DATABASE "{name}"')
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    try:
        call_command("migrate", verbosity=0)
        manager, request = seed()
        from carehub.rights import pack, services

        request.survivor.refresh_from_db()
        built = pack.build(request)
        contact_ids = [i["id"] for s in built.data["sections"] for i in s["items"] if i["kind"] == "contact"]
        services.subject_access_review(
            actor=manager,
            request=request,
            passages=["The neighbour saw it"],
            withheld=contact_ids[:1],
            redact_staff_names=True,
        )
        redactions = services.redactions_of(request)
        rows = floor(request, unseal=False)

        def whole_pack() -> None:
            redacted = pack.redact(pack.build(request), redactions)
            json.dumps(redacted, ensure_ascii=False)
            pack.render_html(redacted)

        def release() -> None:
            with transaction.atomic():
                request.status = "open"
                services.subject_access_release(actor=manager, request=request)
                transaction.set_rollback(True)

        figures = {
            "database": connection.vendor,
            "referrals": REFERRALS,
            "case_notes": NOTES,
            "rows_read": rows,
            "floor_rows": _timed(args.repeats, lambda: floor(request, unseal=False)),
            "floor_rows_unsealed": _timed(args.repeats, lambda: floor(request, unseal=True)),
            "pack_build": _timed(args.repeats, lambda: pack.build(request)),
            "pack_build_redact_json_html": _timed(args.repeats, whole_pack),
            "release": _timed(args.repeats, release),
        }
        redacted = pack.redact(pack.build(request), redactions)
        figures["pack_items"] = sum(len(s["items"]) for s in redacted["sections"])
        figures["json_bytes"] = len(json.dumps(redacted, ensure_ascii=False).encode())
        figures["html_bytes"] = len(pack.render_html(redacted).encode())
        figures["load_average_before"] = [round(x, 2) for x in load_before]
        figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(figures, indent=2))
    finally:
        connection.close()
        if args.database_url:
            _postgres(args.database_url, f'DROP DATABASE IF EXISTS "{args.database_url.rsplit("/", 1)[1]}"')
        work.cleanup()


if __name__ == "__main__":
    main()
