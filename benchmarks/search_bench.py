"""Issue 13 figures: the search box against 1,000,000 survivors on PostgreSQL, p95 target under 100 ms.

Times a hub worker's search as the page runs it (`search.selectors.search`: parse, keyed hashes and linkage keys,
the policy's scope, the audit event; then the safe label of each result, as the view shows it), and the whole page
through Django's test client (session, policy, template), for three kinds of search:
- a reference read aloud ("ch 7kq2 x9pl": lower case, spaces, no dashes);
- a name with a date of birth, exactly as held;
- a name with a date of birth and one letter of the family name dropped (the linkage keys' one-edit neighbourhood).
Beside them, the floor measured in the same run: the bare indexed SELECT on the reference and on the name+DOB hash
column (one round trip, nothing else).

Set-up (not timed): the database `carehub_bench_search` on 127.0.0.1:5432 (or --database-url), created and migrated
if needed; then survivors are added in bulk until it holds --survivors of them, each with a data key, her three
keyed look-up hashes, her linkage keys (people.linkage_keys.BatchKeys, as the seeder computes them) and one
referral, written with COPY. Names come from the demo's heritage tables (a realistic spread of common and rare
names) and dates of birth from 1950 to 2007, drawn with a fixed seed, so a later run regenerates the same people and
reuses the database. Identities are not encrypted one by one (search never decrypts a candidate): every background
survivor holds the same sealed placeholder under the same wrapped key, so a result's label still decrypts as the
page does it. Run it niced on a shared machine:

    nice -n 10 python benchmarks/search_bench.py [--survivors 1000000] [--repeats 100] [--drop]

Prints JSON with p50/p95/max milliseconds and the query count of each search.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/carehub_bench_search"
ID_BASE = 10_000_000  # bulk rows take ids from here; the few rows made through the ORM stay below
BATCH = 50_000
SEED = 13


def psql(url: str, statement: str, database: str = "postgres") -> str:
    base = url.rsplit("/", 1)[0]
    command = ["psql", f"{base}/{database}", "-Atc", statement]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()


def prepare_database(url: str, env: dict[str, str], drop: bool) -> None:
    name = url.rsplit("/", 1)[1]
    exists = psql(url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if drop and exists:
        psql(url, f'DROP DATABASE "{name}"')
        exists = False
    if not exists:
        psql(url, f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "-m", "carehub.cli", "migrate", "--verbosity", "0"], env=env, check=True)


# --- the people --------------------------------------------------------------------------------------------------


def people(n: int):
    """The same n people on every run: (given, family, date of birth, phone, postcode) by index."""
    import numpy as np

    from carehub.synthetic.heritage import HERITAGES

    given = sorted({name for h in HERITAGES for name in h.women})
    family = sorted({name for h in HERITAGES for name in h.family})
    rng = np.random.default_rng(SEED)
    # Zipf-like weights: a few names are very common, most are rare, as in London.
    given_p = 1 / np.arange(1, len(given) + 1) ** 0.8
    family_p = 1 / np.arange(1, len(family) + 1) ** 0.8
    return {
        "given_names": given,
        "family_names": family,
        "given": rng.choice(len(given), n, p=given_p / given_p.sum()),
        "family": rng.choice(len(family), n, p=family_p / family_p.sum()),
        "dob": rng.integers(dt.date(1950, 1, 1).toordinal(), dt.date(2007, 12, 31).toordinal(), n),
        "phone": rng.integers(0, 10**9, n),
        "postcode": rng.integers(0, 26 * 26 * 10, n),
    }


def identity_of(p: dict, i: int):
    from carehub.people.models import Identity

    outward = p["postcode"][i]
    return Identity(
        given_name=p["given_names"][p["given"][i]],
        family_name=p["family_names"][p["family"][i]],
        date_of_birth=dt.date.fromordinal(int(p["dob"][i])),
        phone=f"07{int(p['phone'][i]):09d}",
        postcode=f"E{outward % 10 + 1} {outward // 10 % 10}{chr(65 + outward // 100 % 26)}{chr(65 + outward % 26)}",
    )


def template_rows() -> tuple[dict, dict, dict]:
    """One survivor and referral made by the real intake service: the columns every bulk row copies."""
    from django.db import connection

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
    rows = []
    with connection.cursor() as cursor:
        for table, key in (
            ("people_datakey", referral.survivor.data_key_id),
            ("people_survivor", referral.survivor_id),
            ("referrals_referral", referral.pk),
        ):
            cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [key])
            columns = [c.name for c in cursor.description]
            rows.append(dict(zip(columns, cursor.fetchone(), strict=True)))
    return rows[0], rows[1], rows[2]


def _plain(value):
    """Values read back from a row, as COPY takes them (JSON columns as JSON text)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(n: int, have: int) -> float:
    """Add survivors have..n-1 (by index) with their data keys, look-ups, linkage keys and referrals."""
    from django.db import connection, transaction

    from carehub.core.public_ids import new_public_id
    from carehub.people.linkage_keys import KEY_FIELDS, BatchKeys, key_row
    from carehub.people.models import lookups_for
    from carehub.referrals.models import new_reference

    started = time.perf_counter()
    key_t, survivor_t, referral_t = template_rows()
    p = people(n)
    batch_keys = BatchKeys()
    key_cols = [c for c in key_t]
    survivor_cols = [c for c in survivor_t]
    referral_cols = [c for c in referral_t]
    linkage_cols = ["survivor_id", *KEY_FIELDS]
    references: set[str] = set()
    for start in range(have, n, BATCH):
        stop = min(n, start + BATCH)
        keys, survivors, linkage, referrals = [], [], [], []
        for i in range(start, stop):
            identity = identity_of(p, i)
            row_id = ID_BASE + i
            keys.append([row_id if c == "id" else _plain(key_t[c]) for c in key_cols])
            own = {
                "id": row_id,
                "data_key_id": row_id,
                "public_id": new_public_id(),
                **lookups_for(identity),
            }
            survivors.append([own[c] if c in own else _plain(survivor_t[c]) for c in survivor_cols])
            linkage.append([row_id, *key_row(batch_keys(identity))])
            reference = new_reference()
            while reference in references:
                reference = new_reference()
            references.add(reference)
            mine = {"id": row_id, "survivor_id": row_id, "reference": reference}
            referrals.append([mine[c] if c in mine else _plain(referral_t[c]) for c in referral_cols])
        with transaction.atomic():
            connection.ensure_connection()
            raw = connection.connection
            with raw.cursor() as cursor:
                copy_rows(cursor, "people_datakey", key_cols, keys)
                copy_rows(cursor, "people_survivor", survivor_cols, survivors)
                copy_rows(cursor, "repeats_linkagerecord", linkage_cols, linkage)
                copy_rows(cursor, "referrals_referral", referral_cols, referrals)
        print(json.dumps({"seeded": stop, "seconds": round(time.perf_counter() - started, 1)}), flush=True)
    with connection.cursor() as cursor:
        for table in ("people_datakey", "people_survivor", "referrals_referral"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def background_count() -> int:
    from carehub.people.models import Survivor

    return Survivor.objects.filter(pk__gte=ID_BASE).count()


# --- the timing --------------------------------------------------------------------------------------------------


def hub_worker():
    from carehub.accounts.models import Membership, Organisation, Role, User

    hub, _ = Organisation.objects.get_or_create(
        slug="bench-hub", defaults={"name": "Bench Hub", "kind": Organisation.Kind.HUB}
    )
    user, created = User.objects.get_or_create(username="bench-hub-worker", defaults={"full_name": "Bench"})
    if created:
        Membership.objects.create(user=user, organisation=hub, role=Role.HUB_WORKER)
    return user


def searches(n: int, count: int) -> dict[str, list[tuple[str, str]]]:
    """(what is typed, the reference it must find), for `count` people drawn with a fixed seed."""
    import random

    from carehub.referrals.models import Referral

    p = people(n)
    rng = random.Random(SEED)
    chosen = rng.sample(range(n), count)
    reference_of = dict(
        Referral.objects.filter(survivor_id__in=[ID_BASE + i for i in chosen]).values_list("survivor_id", "reference")
    )
    out: dict[str, list[tuple[str, str]]] = {"reference": [], "name_dob": [], "name_dob_typo": []}
    for i in chosen:
        identity, reference = identity_of(p, i), reference_of[ID_BASE + i]
        dob = f"{identity.date_of_birth:%d/%m/%Y}"
        family = identity.family_name
        typo = family[:2] + family[3:] if len(family) > 4 else family + "e"
        out["reference"].append((" ".join(reference.replace("-", "").lower()), reference))
        out["name_dob"].append((f"{identity.given_name} {family} {dob}", reference))
        out["name_dob_typo"].append((f"{identity.given_name} {typo} {dob}", reference))
    return out


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


def time_selector(user, typed: list[tuple[str, str]]) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from carehub.search import selectors
    from carehub.search.query import parse

    times, missed, queries = [], 0, 0
    for text, reference in typed:
        started = time.perf_counter()
        found = selectors.search(user=user, query=parse(text))
        [selectors.safe_label(r.survivor) for r in found.referrals]
        times.append((time.perf_counter() - started) * 1000)
        missed += reference not in {r.reference for r in found.referrals}
    with CaptureQueriesContext(connection) as captured:
        selectors.search(user=user, query=parse(typed[0][0]))
    queries = len(captured)
    return {**percentiles(times), "queries": queries, "not_found": missed}


def time_page(user, typed: list[tuple[str, str]]) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.post("/search/", {"q": typed[0][0]})  # warm: templates compiled
    times = []
    for text, reference in typed:
        started = time.perf_counter()
        response = client.post("/search/", {"q": text})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and reference in response.content.decode(), text
    return percentiles(times)


def time_floor(typed: dict[str, list[tuple[str, str]]], n: int) -> dict:
    """The bare indexed SELECTs the searches cannot beat: one round trip on the reference, one on the hash."""
    import random

    from django.db import connection

    from carehub.people import crypto

    p = people(n)
    rng = random.Random(SEED)
    chosen = rng.sample(range(n), len(typed["reference"]))
    out = {}
    with connection.cursor() as cursor:
        times = []
        for _, reference in typed["reference"]:
            started = time.perf_counter()
            cursor.execute("SELECT id FROM referrals_referral WHERE reference = %s", [reference])
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        out["reference"] = percentiles(times)
        times = []
        for i in chosen:
            identity = identity_of(p, i)
            name_dob = crypto.normalise_name(identity.family_name) + "|" + identity.date_of_birth.isoformat()
            started = time.perf_counter()
            digest = crypto.lookup_hash("name_dob", name_dob)
            cursor.execute("SELECT id FROM people_survivor WHERE name_dob_lookup = %s", [digest])
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        out["name_dob_hash"] = percentiles(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--survivors", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=100, help="searches of each kind (different people)")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--drop", action="store_true", help="start from an empty database")
    parser.add_argument("--seed-only", action="store_true", help="fill the database, time nothing")
    args = parser.parse_args()
    env = {**os.environ, "DATABASE_URL": args.database_url, "CAREHUB_TASKS_BACKEND": "immediate"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    prepare_database(args.database_url, env, args.drop)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    have = background_count()
    seeded = seed(args.survivors, have) if have < args.survivors else 0.0
    if args.seed_only:
        print(json.dumps({"survivors": background_count(), "seed_seconds": round(seeded, 1)}))
        return
    user = hub_worker()
    typed = searches(args.survivors, args.repeats)
    load_before = os.getloadavg()[0]
    result = {
        "survivors": background_count(),
        "seed_seconds": round(seeded, 1),
        "searches_each": args.repeats,
        "floor": time_floor(typed, args.survivors),
        "search": {kind: time_selector(user, rows) for kind, rows in typed.items()},
        "page": {kind: time_page(user, rows) for kind, rows in typed.items()},
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
