"""Issue 11 figure: what migrating a fresh database costs (pytest-django does it at the start of every test pass).

Usage: python benchmarks/migrate_bench.py [--runs 3] [--backend sqlite postgresql] [--pytest]

Each run is a child process, `carehub migrate --noinput`, on a database nobody has touched: SQLite, a new file in a
temporary directory; PostgreSQL (127.0.0.1:5432, user postgres), a new database, dropped afterwards. Prints the
child's user + system CPU seconds (what load changes least) and its wall seconds. With --pytest, also a one-test
pytest run that sets up the test database (SQLite in memory, and PostgreSQL when asked) beside a one-test run that
never reaches it: the difference is pytest-django's set-up of the test database, most of it the migrate.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
MARKER_TESTS = "tests/test_database_marker.py::"
WITH_DATABASE = MARKER_TESTS + "test_a_test_that_asks_for_the_database_is_marked"
WITHOUT_DATABASE = MARKER_TESTS + "test_a_test_without_the_database_is_not_marked"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU (user + system) and wall seconds of one child process, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)


def migrate_once(backend: str, run: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="migrate-bench-") as var_dir:
        env = {**os.environ, "CAREHUB_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        if backend == "sqlite":
            return timed(["carehub", "migrate", "--noinput"], env)
        name = f"carehub_migrate_bench_{os.getpid()}_{run}"
        admin(f'DROP DATABASE IF EXISTS "{name}"')
        admin(f'CREATE DATABASE "{name}"')
        try:
            env["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
            return timed(["carehub", "migrate", "--noinput"], env)
        finally:
            admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_once(backend: str, test: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="migrate-bench-") as var_dir:
        env = {**os.environ, "CAREHUB_VAR_DIR": var_dir}
        env.pop("DATABASE_URL", None)
        env.pop("CAREHUB_TEST_DB_NAME", None)  # SQLite: in memory, as `make test` runs it
        if backend == "postgresql":
            env["DATABASE_URL"] = ADMIN_URL.rsplit("/", 1)[0] + "/carehub"
            env["CAREHUB_TEST_DB_NAME"] = f"carehub_migrate_bench_test_{os.getpid()}"
        return timed([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", test], env)


def report(label: str, figures: list[tuple[float, float]]) -> None:
    cpu = ", ".join(f"{c:.2f}" for c, _ in figures)
    wall = ", ".join(f"{w:.2f}" for _, w in figures)
    print(f"| {label} | {cpu} | {wall} | {os.getloadavg()[0]:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    parser.add_argument("--pytest", action="store_true", help="also time one-test pytest runs with and without the DB")
    args = parser.parse_args()
    print("| run | CPU s (user + sys) | wall s | load average after |")
    print("|---|---|---|---:|")
    for backend in args.backend:
        report(f"`carehub migrate`, {backend}", [migrate_once(backend, n) for n in range(args.runs)])
        if args.pytest:
            for label, test in (("one database test", WITH_DATABASE), ("one test without it", WITHOUT_DATABASE)):
                report(f"pytest, {label}, {backend}", [pytest_once(backend, test) for _ in range(args.runs)])


if __name__ == "__main__":
    main()
