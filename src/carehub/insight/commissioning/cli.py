"""The command line, as a plain function so that `carehub commissioning run` needs no Django.

    carehub commissioning run [--data DIR] [--backend duckdb|pyspark] --out DIR

Exit status: 0 when results.json, results.csv and report.html are written, 2 when the extract cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..equality.progress import Progress


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carehub commissioning",
        description="Commissioning evidence from the extract: demand, surges, waits and unmet need, with findings in "
        "plain words; writes results.json, results.csv and report.html into --out.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run over an extract folder (carehub extract --out DIR)")
    run_parser.add_argument("--data", default="extract", help="the extract folder (default ./extract)")
    run_parser.add_argument("--backend", choices=("duckdb", "pyspark"), default="duckdb")
    run_parser.add_argument("--out", required=True, help="folder for results.json, results.csv and report.html")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data = Path(args.data)
    if not (data / "referrals.parquet").exists():
        print(
            f"No referrals.parquet in {data}: write an extract first (carehub extract --out {data}).", file=sys.stderr
        )
        return 2
    from .run import run  # the statistics stack loads here, after the arguments are checked

    progress = Progress(sys.stderr)
    try:
        results = run(data, Path(args.out), backend=args.backend, progress=progress)
    finally:
        progress.close()
    for sentence in results["findings"]:
        print(sentence)
    print(f"Written to {args.out}: results.json, results.csv, report.html")
    return 0
