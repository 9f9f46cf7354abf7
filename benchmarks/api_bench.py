"""Issue 3 figures on PostgreSQL with 1,000,000 referrals stored:

- the API's sustained referral intake from a separate load-generating process (target: 200 a second, p99 under
  150 ms, no error), beside the raw psycopg insert rate of the same rows (the ceiling);
- the triage queue page's p95 (target: under 150 ms).

Usage: .venv/bin/python benchmarks/api_bench.py [--database-url URL] [--referrals 1000000] [--rate 200]
It creates (or reuses) the database, seeds it with `carehub seed` if it holds no referrals, serves
Care Hub with gunicorn on a loopback port, and prints JSON. Nothing it starts outlives it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def carehub(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run([str(BIN / "carehub"), *args], env=env, check=True, text=True, capture_output=capture)
    return result.stdout if capture else ""


def referral_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        try:
            return conn.execute("SELECT count(*) FROM referrals_referral").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0


def serve(env: dict, port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "carehub.wsgi:application",
            "-w",
            str(workers),
            # Threaded workers keep connections alive, so an agency system posting referrals one after another
            # does not pay a TCP handshake each time (the sync worker closes every connection).
            "-k",
            "gthread",
            "--threads",
            "1",
            "--keep-alive",
            "5",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def cpu_seconds_by_kind() -> dict[str, float]:
    """CPU seconds used so far by the web server's processes and by PostgreSQL's, read from /proc (Linux)."""
    totals = {"gunicorn": 0.0, "postgres": 0.0}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kind = "gunicorn" if b"gunicorn" in command else "postgres" if b"postgres" in command else None
        if kind:
            totals[kind] += (int(fields[11]) + int(fields[12])) / tick
    return totals


def signed_in_opener(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    request = urllib.request.Request(
        f"{base}/accounts/sign-in/", data=data.encode(), headers={"Referer": f"{base}/accounts/sign-in/"}
    )
    opener.open(request).read()
    return opener


def time_page(opener, url: str, repeats: int) -> dict:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = opener.open(url)
        body = response.read()
        timings.append(time.perf_counter() - started)
        assert response.status == 200 and b"Referrals waiting for triage" in body, "not the queue page"
    timings.sort()
    return {
        "requests": repeats,
        "p50_ms": round(timings[len(timings) // 2] * 1000, 1),
        "p95_ms": round(timings[int(0.95 * len(timings))] * 1000, 1),
        "max_ms": round(timings[-1] * 1000, 1),
    }


def raw_insert_rate(url: str, count: int) -> dict:
    """The same rows one API referral writes, inserted with psycopg alone: one transaction per referral."""
    blob = secrets.token_bytes(200)
    with psycopg.connect(url) as conn:
        org = conn.execute("SELECT id FROM accounts_organisation WHERE slug = 'metropolitan-police'").fetchone()[0]
        started = time.perf_counter()
        for i in range(count):
            with conn.transaction():
                key = conn.execute(
                    "INSERT INTO people_datakey (wrapped, created_at) VALUES (%s, now()) RETURNING id", [blob]
                ).fetchone()[0]
                survivor = conn.execute(
                    "INSERT INTO people_survivor (public_id, data_key_id, identity_sealed, email_lookup, phone_lookup, "
                    "name_dob_lookup, created_at, ethnicity, sex, gender_same_as_sex, gender_identity, "
                    "sexual_orientation, disability, religion, pregnancy, first_language, immigration_status, "
                    "migrant_concession_applied, migrant_concession_granted, ilr_domestic_abuse_applied, "
                    "support_for_migrant_victims_referral) VALUES (%s, %s, %s, '', %s, '', now(), 'black_african', "
                    "'female', '', '', '', '', '', '', '', '', false, false, false, false) RETURNING id",
                    [secrets.token_hex(6).upper(), key, blob, secrets.token_hex(32)],  # 12 characters, unique
                ).fetchone()[0]
                referral = conn.execute(
                    "INSERT INTO referrals_referral (reference, survivor_id, channel, referring_organisation_id, "
                    "received_at, status, sealed, perpetrator_police, perpetrator_relationship, borough, age_band, "
                    "abuse_types, needs, wants_by_and_for, language, interpreter_needed, has_nrpf, risk_level, marac, "
                    "is_repeat, contact_sealed, version, idempotency_key, request_fingerprint) VALUES (%s, %s, 'api', "
                    "%s, now(), 'received', false, 'no', '', 'E09000030', '25_34', '[\"physical\"]', '[\"idva\"]', "
                    "'', '', false, false, 'not_assessed', false, false, %s, 1, %s, '') RETURNING id",
                    [f"RAW-{i}-{secrets.token_hex(4)}", survivor, org, blob, secrets.token_hex(8)],
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO referrals_referralevent (referral_id, at, from_status, to_status, note) "
                    "VALUES (%s, now(), '', 'received', 'api')",
                    [referral],
                )
                conn.execute(
                    "INSERT INTO referrals_consent (referral_id, kind, given, recorded_at) "
                    "VALUES (%s, 'referral', true, now())",
                    [referral],
                )
        elapsed = time.perf_counter() - started
        conn.execute(
            "DELETE FROM referrals_consent WHERE referral_id IN "
            "(SELECT id FROM referrals_referral WHERE reference LIKE 'RAW-%%')"
        )
        conn.execute(
            "DELETE FROM referrals_referralevent WHERE referral_id IN "
            "(SELECT id FROM referrals_referral WHERE reference LIKE 'RAW-%%')"
        )
        conn.execute("DELETE FROM referrals_referral WHERE reference LIKE 'RAW-%%'")
        conn.commit()
    return {
        "referrals": count,
        "seconds": round(elapsed, 2),
        "referrals_per_second": round(count / elapsed, 1),
        "note": "5 rows per referral (key, survivor, referral, event, consent), no encryption, no audit chain",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/carehub_bench")
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--raw", type=int, default=5000, help="referrals for the raw psycopg ceiling")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CAREHUB_DEBUG": "false",
        "CAREHUB_DB_CONN_MAX_AGE": "600",
        "CAREHUB_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CAREHUB_VAR_DIR": str(ROOT / "var" / "bench"),
    }
    ensure_database(args.database_url)
    carehub(env, "migrate", "--noinput", "-v", "0")
    if referral_count(args.database_url) == 0:  # a database from an earlier run keeps its seed and API referrals
        started = time.perf_counter()
        carehub(env, "seed", "--referrals", str(args.referrals), "--seed", "1")
        print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    stored = referral_count(args.database_url)
    key = carehub(env, "apikey", "create", "--org", "metropolitan-police", "--name", "benchmark", capture=True).strip()
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    port = free_port()
    server = serve(env, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        loadgen = [
            sys.executable,
            str(ROOT / "benchmarks" / "loadgen.py"),
            "--url",
            f"{base}/api/v1/referrals",
            "--key",
            key,
        ]
        subprocess.run([*loadgen, "--rate", "50", "--seconds", "5"], check=True, capture_output=True)  # warm-up
        before = cpu_seconds_by_kind()
        api = json.loads(
            subprocess.run(
                [*loadgen, "--rate", str(args.rate), "--seconds", str(args.seconds)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        after = cpu_seconds_by_kind()
        # CPU per referral taken in: what decides how close to full the two cores are at the target rate.
        api["cpu_ms_per_referral"] = {
            kind: round((after[kind] - before[kind]) * 1000 / max(api["requests"], 1), 2) for kind in after
        }
        api["load_average_after"] = os.getloadavg()[0]
        opener = signed_in_opener(base, "hub", "care-hub-demo-2026")
        queue = time_page(opener, f"{base}/referrals/queue/", 200)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ceiling = raw_insert_rate(args.database_url, args.raw)
    print(
        json.dumps(
            {
                "referrals_stored": stored,
                "gunicorn_workers": args.workers,
                "api": api,
                "raw_psycopg_ceiling": ceiling,
                "triage_queue_page": queue,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
