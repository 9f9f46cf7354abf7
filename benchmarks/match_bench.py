"""Issue 4 figure: matching one new referral against the people the hub has stored. Target: p95 under 250 ms at 1M.

Usage: .venv/bin/python benchmarks/match_bench.py [--people 100000 1000000] [--queries 200] [--seed 1] [--keep]

Backend: PostgreSQL when DATABASE_URL names one (e.g. postgres://postgres@127.0.0.1:5432/carehub): a throwaway
database beside it (`<name>_match_bench`) is created, used and dropped (--keep keeps it). Otherwise SQLite, in a
fresh file under --workdir (removed afterwards unless --keep).

What it does, for each size in --people, growing one store:
1. Stores linkage records for synthetic people (synthetic/linkage_records.py, labelled with the true person; about a
   fifth of records repeat an earlier person with typing slips, new phones and addresses), with a survivor row and one
   earlier referral each, written in bulk (COPY on PostgreSQL, executemany on SQLite) with indexes rebuilt after, as
   the seeder does. Identities are not encrypted (nothing reads them: matching reads keys only), which is why this
   loads far faster than `carehub seed`.
2. Takes the next records of the same stream as new referrals, half of them repeats of a stored person and half
   new people, and takes each in through referral_create (so her keys are stored as the hub stores them).
3. Times suggest_matches(referral) for each: the indexed candidate look-ups, scoring with the shipped model, and the
   exclusions (sealed, decided, linked) and earlier-referral look-up. A few warm-up queries are not timed.
Reports p50/p95/max milliseconds, candidates scored per query, and how often a repeat's true person was suggested
and a new person was suggested anybody at all, with the load average (the machine may be shared).

On PostgreSQL each size is measured twice: straight after the bulk load, and again (with new referrals) after
VACUUM ANALYZE, as autovacuum leaves the tables in use. Straight after a load the visibility map is empty, so the
name-frequency counts cannot use index-only scans and read the table instead: the first figure is the worst case.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 50_000
WARM_UP = 5
REFERENCE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200, help="timed new referrals per size, half of them repeats")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "carehub-match-bench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    with bench_database(os.environ.get("DATABASE_URL", ""), args.workdir, keep=args.keep) as backend:
        results = run(sorted(args.people), args.queries, args.seed)
    for result in results:
        result["backend"] = backend
        print(json.dumps(result), flush=True)
    print(markdown(results))


@contextlib.contextmanager
def bench_database(url: str, workdir: Path, *, keep: bool) -> Iterator[str]:
    """Point Care Hub's settings at a fresh database of its own, and remove it afterwards."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    if urlsplit(url).scheme in {"postgres", "postgresql"}:
        parts = urlsplit(url)
        name = f"{parts.path.lstrip('/') or 'carehub'}_match_bench"
        admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}"')
        _admin(admin, f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
        try:
            yield "PostgreSQL"
        finally:
            _close_connections()
            if not keep:
                _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    workdir.mkdir(parents=True, exist_ok=True)
    var_dir = Path(tempfile.mkdtemp(prefix="sqlite-", dir=workdir))
    os.environ.pop("DATABASE_URL", None)
    os.environ["CAREHUB_VAR_DIR"] = str(var_dir)
    try:
        yield "SQLite"
    finally:
        _close_connections()
        if not keep:
            shutil.rmtree(var_dir, ignore_errors=True)


def _admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def _close_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def run(sizes: list[int], queries: int, seed: int) -> list[dict]:
    import django

    django.setup()
    from django.core.management import call_command

    from carehub.synthetic import linkage_records

    call_command("migrate", verbosity=0)
    stream = linkage_records.generate(sizes[-1] + 50 * queries * len(sizes), seed=seed)
    store = Store()
    results = []
    for size in sizes:
        load_before = os.getloadavg()
        started = time.perf_counter()
        store.add(stream, size - store.people)
        load_seconds = time.perf_counter() - started
        for state in ("after load", "after VACUUM") if _postgres() else ("after load",):
            if state == "after VACUUM":
                _vacuum()
            batch = pick_queries(stream, store, queries + WARM_UP)
            result = measure(batch, store)
            result.update(
                people=store.people,
                state=state,
                load_seconds=round(load_seconds, 1),
                load_average_before=[round(x, 1) for x in load_before],
                load_average_after=[round(x, 1) for x in os.getloadavg()],
            )
            results.append(result)
            print(json.dumps(result), file=sys.stderr, flush=True)
            load_before = os.getloadavg()
    return results


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("repeats_linkagerecord", "referrals_referral", "people_survivor"):
            cursor.execute(f"VACUUM ANALYZE {table}")


class Store:
    """The people stored so far, and the true person behind each stored survivor (for the accuracy figures)."""

    def __init__(self) -> None:
        self.people = 0
        self.person_of: dict[int, int] = {}  # survivor id -> true person
        self.stored_persons: set[int] = set()

    def add(self, stream, count: int) -> None:
        from django.db import transaction

        from carehub.demo.writer import BulkWriter, next_id
        from carehub.people.linkage_keys import BatchKeys
        from carehub.people.models import DataKey, LinkageRecord, Survivor
        from carehub.referrals.models import Referral

        writer, batch_keys = BulkWriter(), BatchKeys()
        models = (DataKey, Survivor, Referral, LinkageRecord)
        with transaction.atomic(), writer.bulk_load(*models, rows=count):
            first = {model: next_id(model) for model in (DataKey, Survivor, Referral)}
            done = 0
            while done < count:
                records = [next(stream) for _ in range(min(CHUNK, count - done))]
                self._write(writer, batch_keys, records, first, done)
                done += len(records)
        writer.reset_sequences(DataKey, Survivor, Referral)
        self.people += count

    def _write(self, writer, batch_keys, records, first: dict, offset: int) -> None:
        from carehub.core.public_ids import new_public_id
        from carehub.people.linkage_keys import KEY_FIELDS
        from carehub.people.models import DataKey, LinkageRecord, Survivor
        from carehub.referrals.models import Referral

        n = len(records)
        key_ids = [first[DataKey] + offset + i for i in range(n)]
        survivor_ids = [first[Survivor] + offset + i for i in range(n)]
        referral_ids = [first[Referral] + offset + i for i in range(n)]
        now = dt.datetime.now(dt.UTC)
        # Earlier referrals spread over the three years before today, so every stored person can be suggested.
        received = [now - dt.timedelta(days=30 + (i * 7919) % 1065, seconds=i % 86400) for i in referral_ids]
        stamps = [writer_time(writer, moment) for moment in received]
        writer.write(DataKey, {"id": key_ids, "wrapped": [None] * n, "created_at": stamps})
        writer.write(
            Survivor,
            {
                "id": survivor_ids,
                "public_id": [new_public_id() for _ in range(n)],
                "data_key_id": key_ids,
                "identity_sealed": [b""] * n,
                "created_at": stamps,
            },
        )
        writer.write(
            Referral,
            {
                "id": referral_ids,
                "reference": [bench_reference(i) for i in referral_ids],
                "survivor_id": survivor_ids,
                "channel": ["self"] * n,
                "received_at": stamps,
            },
        )
        rows = [batch_keys(identity_of(record)) for record in records]
        columns = {"survivor_id": survivor_ids, **{field: [row[field] for row in rows] for field in KEY_FIELDS}}
        writer.write(LinkageRecord, columns)
        for survivor_id, record in zip(survivor_ids, records, strict=True):
            self.person_of[survivor_id] = record.person_id
            self.stored_persons.add(record.person_id)


def writer_time(writer, moment: dt.datetime) -> str:
    """A timestamp as BulkWriter.datetimes writes it for this database."""
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    return text + "+00" if writer.postgres else text


def bench_reference(number: int) -> str:
    """A unique reference in Care Hub's format (CH-XXXX-XXXX), from a number; starts with X, which new_reference
    draws too, but eight digits in base 28 from a number never repeat."""
    digits = []
    for _ in range(8):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        digits.append(REFERENCE_ALPHABET[digit])
    body = "".join(reversed(digits))
    return f"CH-{body[:4]}-{body[4:]}"


def identity_of(record):
    from carehub.people.models import Identity

    return Identity(**record.identity_fields())


def pick_queries(stream, store: Store, wanted: int) -> list[object]:
    """The next records of the stream, about half repeats of a stored person and half people never stored."""
    repeats, new = [], []
    while len(repeats) + len(new) < wanted:
        record = next(stream)
        if record.person_id in store.stored_persons:
            if len(repeats) < (wanted + 1) // 2:
                repeats.append(record)
        elif len(new) < wanted // 2:
            new.append(record)
    mixed = [record for pair in zip(repeats, new, strict=False) for record in pair]
    return mixed + repeats[len(new) :] + new[len(repeats) :]


def measure(batch: list[object], store: Store) -> dict:
    from carehub.referrals import services as referrals
    from carehub.referrals.models import Channel
    from carehub.repeats.matching import suggest_matches

    timings, candidates = [], []
    found = repeats = false_alarms = new_people = suggested = 0
    for index, record in enumerate(batch):
        is_repeat = record.person_id in store.stored_persons  # counting earlier queries: they are stored too
        request = referrals.IntakeRequest(
            channel=Channel.SELF, identity=identity_of(record), details=referrals.ReferralDetails(needs=["idva"])
        )
        referral, _ = referrals.referral_create(actor=None, organisation=None, request=request)
        stats: dict = {}
        started = time.perf_counter()
        suggestions = suggest_matches(referral, stats=stats)
        elapsed = (time.perf_counter() - started) * 1000
        if index < WARM_UP:
            continue
        timings.append(elapsed)
        candidates.append(stats.get("candidates", 0))
        suggested += len(suggestions)
        persons = {store.person_of.get(s.survivor_id) for s in suggestions}
        if is_repeat:
            repeats += 1
            found += record.person_id in persons
        else:
            new_people += 1
            false_alarms += bool(suggestions)
        store.person_of[referral.survivor_id] = record.person_id
        store.stored_persons.add(record.person_id)
    timings.sort()
    return {
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
        "max_ms": round(timings[-1], 1),
        "mean_ms": round(statistics.fmean(timings), 1),
        "candidates_mean": round(statistics.fmean(candidates), 1),
        "candidates_p95": sorted(candidates)[int(0.95 * (len(candidates) - 1))],
        "candidates_max": max(candidates),
        "repeats": repeats,
        "repeats_found": found,
        "new_people": new_people,
        "new_people_with_a_suggestion": false_alarms,
        "suggestions_shown": suggested,
    }


def markdown(results: list[dict]) -> str:
    lines = [
        "| backend | people stored | measured | load | p50 | p95 | max | candidates per query (mean / p95 / max) "
        "| repeats found | new people given a suggestion | load average before / after |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['people']:,} | {r['state']} | {r['load_seconds']:.0f} s | {r['p50_ms']} ms "
            f"| **{r['p95_ms']} ms** "
            f"| {r['max_ms']} ms | {r['candidates_mean']} / {r['candidates_p95']} / {r['candidates_max']} "
            f"| {r['repeats_found']} of {r['repeats']} | {r['new_people_with_a_suggestion']} of {r['new_people']} "
            f"| {r['load_average_before'][0]} / {r['load_average_after'][0]} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
