"""The command line, as a plain function so `carehub duration run ...` can call it without Django in the library.

    carehub duration run [--data DIR] [--backend duckdb|pyspark] [--spec SPEC.toml] [--extract-date YYYY-MM-DD]
                         --out DIR

Exit status: 0 when the three files are written, 2 when the analysis cannot be made (the message says why).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from carehub.insight.equality.errors import BackendError

from .api import run
from .spec import DurationError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carehub duration",
        description="Does support longer than 12 weeks reduce repeat referrals? Reads episodes.parquet and "
        "referrals.parquet from --data and writes results.json, results.csv and report.html into --out (created "
        "if missing; those three files are overwritten, nothing else is touched).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the analysis")
    run_parser.add_argument("--data", default="extract", help="folder with episodes.parquet and referrals.parquet")
    run_parser.add_argument("--backend", choices=("duckdb", "pyspark"), default="duckdb")
    run_parser.add_argument("--spec", default=None, help="settings (default: the shipped specs/duration.toml)")
    run_parser.add_argument("--extract-date", type=dt.date.fromisoformat, default=None,
                            help="the day the extract was taken (default: the latest date in the data)")  # fmt: skip
    run_parser.add_argument("--out", required=True, help="folder for results.json, results.csv and report.html")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        document = run(args.data, args.out, spec=args.spec, backend=args.backend, extract_date=args.extract_date)
    except (DurationError, BackendError) as error:
        print(f"carehub duration: error: {error}", file=sys.stderr)
        return 2
    for line in document["findings"]:
        print(f"  {line}")
    print(f"Wrote results.json, results.csv and report.html to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
