"""Issue 2 figure: how long `carehub seed` takes to build synthetic London with 1,000,000 referrals.

Usage: .venv/bin/python benchmarks/seed_bench.py [--referrals 1000000] [--seed 1] [--backend postgresql sqlite]
       [--workers N] [--keep]

PostgreSQL (127.0.0.1:5432, user postgres): a fresh database is created, migrated, seeded and dropped (--keep keeps
it). SQLite: a fresh file in a temporary directory. Each backend runs in a child process, so settings are read from
the environment exactly as `carehub seed` reads them. Prints per-phase seconds and a Markdown row for RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def child(referrals: int, seed: int, workers: int | None) -> None:
    """Runs inside the child process: migrate, seed, and print one JSON line with the figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from carehub.demo.services import demo_seed

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.perf_counter() - started
    report = demo_seed(referrals=referrals, seed=seed, workers=workers, progress=lambda m: print(m, flush=True))
    server_cpu = None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database()), pg_backend_pid()")
            size, backend = cursor.fetchone()
            server_cpu = _process_cpu_seconds(backend)
        else:
            size = Path(connection.settings_dict["NAME"]).stat().st_size
    figures = {**report.__dict__, "migrate_seconds": migrate_seconds, "bytes": size, "server_cpu_seconds": server_cpu}
    print("RESULT " + json.dumps(figures), flush=True)


def _process_cpu_seconds(pid: int) -> float | None:
    """User and system CPU of a local process (the PostgreSQL backend that did the work), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_backend(backend: str, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="carehub-seed-bench-"))
    env = {**os.environ, "CAREHUB_VAR_DIR": str(workdir), "CAREHUB_ENV": "demo"}
    name = f"carehub_seed_bench_{os.getpid()}"
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        env.pop("DATABASE_URL", None)
    command = [sys.executable, __file__, "--child", "--referrals", str(args.referrals), "--seed", str(args.seed)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    try:
        started, cpu_before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        output = subprocess.run(command, env=env, check=True, text=True, stdout=subprocess.PIPE).stdout
        wall = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    finally:
        if backend == "postgresql" and not args.keep:
            import psycopg

            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    for line in output.splitlines():
        if not line.startswith("RESULT "):
            print(f"  [{backend}] {line}")
    result = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    load = os.getloadavg()[0]
    return {"backend": backend, "wall_seconds": wall, "client_cpu_seconds": client_cpu, "load_after": load, **result}


def markdown(result: dict) -> str:
    created = result["created"]
    rows = created["rows"]  # every row written in bulk: referrals, cases, survivors, their keys, offers...
    seconds = sum(result["seconds"].values())
    phases = ", ".join(f"{phase} {s:.0f}s" for phase, s in result["seconds"].items())
    cpu = f"{result['client_cpu_seconds']:.0f} s"
    if result.get("server_cpu_seconds") is not None:
        cpu += f" + server {result['server_cpu_seconds']:.0f} s"
    return (
        f"| {result['backend']} | {created['referrals']:,} | {created['survivors']:,} | {created['cases']:,} | "
        f"{seconds:.0f} s | {created['referrals'] / seconds:,.0f} | {rows / seconds:,.0f} | "
        f"{result['bytes'] / 2**30:.2f} GiB | {cpu} | {phases} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", nargs="+", default=["postgresql"], choices=["postgresql", "sqlite"])
    parser.add_argument("--workers", type=int, default=None, help="Sealing processes (default: up to 2).")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.referrals, args.seed, args.workers)
        return
    load = os.getloadavg()
    print(f"Machine: {os.cpu_count()} cores, {platform.python_version()}, load average at start {load[0]:.1f}")
    results = [run_backend(backend, args) for backend in args.backend]
    print("\n| backend | referrals | survivors | cases | seed time | referrals/s | rows/s | database | CPU | phases |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for result in results:
        print(markdown(result))
    print("\n" + json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
