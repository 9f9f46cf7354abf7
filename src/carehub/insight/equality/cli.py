"""The command line, as a plain function so that `carehub eia ...` can call it without Django in the library.

    carehub eia run SPEC.toml [--data NAME=PATH ...] [--backend duckdb|pyspark|postgres] --out DIR

Exit status: 0 when the three files are written, 2 when the assessment cannot be made (the message says why).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .api import run
from .backends import BACKENDS
from .data import parse_overrides
from .errors import EIAError
from .findings import LABELS, headline_findings
from .progress import Progress


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carehub eia",
        description="Equality impact assessment: reads the data sets a specification names and writes "
        "results.json, results.csv and report.html into --out (created if missing; those three files are "
        "overwritten, nothing else is touched).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run an assessment specification (TOML)")
    run_parser.add_argument("spec", help="the specification file, e.g. src/carehub/insight/specs/hub.toml")
    run_parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="where a data set named in the specification is: a file, a folder or glob of files, or table:NAME",
    )
    run_parser.add_argument("--backend", choices=BACKENDS, default="duckdb", help="where to count (default duckdb)")
    run_parser.add_argument("--out", required=True, help="folder for results.json, results.csv and report.html")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status rather than exiting, so a caller can wrap it."""
    args = build_parser().parse_args(argv)
    progress = Progress(sys.stderr)
    try:
        assessment = run(
            args.spec, parse_overrides(args.data), backend=args.backend, out_dir=args.out, progress=progress
        )
    except EIAError as error:
        progress.close()
        print(f"carehub eia: error: {error}", file=sys.stderr)
        return 2
    progress.close()
    results = assessment.results
    headline = [r for r in results if r["family"] == "headline"]
    print(f"{assessment.spec.title}: {len(results):,} results ({len(headline):,} headline).")
    for row in headline_findings(results):
        print(f"  {row['statement']}")
    counts = {LABELS[k]: sum(1 for r in headline if r["finding"] == k) for k in ("no_evidence", "too_few")}
    print("  " + "; ".join(f"{label}: {n}" for label, n in counts.items()) + ".")
    for warning in assessment.warnings:
        print(f"  Warning: {warning}")
    print(f"Wrote results.json, results.csv and report.html to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
