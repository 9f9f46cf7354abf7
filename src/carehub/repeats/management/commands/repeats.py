"""`carehub repeats dedupe INPUT.csv --out DIR`: find records of the same person in a CSV, without labels.
`carehub repeats linkage-keys`: store linkage keys for survivors stored before Care Hub kept them (see the end).

INPUT has the columns record_id, given_name, family_name, date_of_birth (YYYY-MM-DD), postcode, address, phone and
email, and optionally town, street_number and address_2; any may be blank or absent except record_id, and other
columns are ignored. A value its column cannot use (a date that is not a date, an email without @, a phone with
letters) is treated as missing and listed in DIR/rejects.csv (record_id, column, reason; never the value); only an
unreadable file, no record_id column, or a blank or repeated record_id stops the run (--strict: any bad value or
absent column stops it too). Writes DIR/pairs.csv (record_id_l, record_id_r, match_probability: every pair at or
above --threshold), DIR/clusters.csv (record_id, cluster_id: every record, with the record_id of the first record of
its cluster) and DIR/rejects.csv, replacing those three files if present.
Changes nothing else: the database is not touched, and the input is never written anywhere, not even to temporary
files; the model trains on linkage keys (keyed hashes) made from it in memory. --save-model writes the trained
model (parameters only, no data) for later runs (--model) or for the hub.

`carehub repeats linkage-keys` (old name `carehub repeats keys`, kept as an alias) adds the linkage keys (keyed
hashes, no plain values) of every survivor who has none, so the hub can suggest her as an earlier referral; erased
survivors and the sealed pathway get none. It changes nothing else, and writes one audit event per batch. New
survivors get their keys when they are created.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from carehub.repeats import splink_model
from carehub.repeats.dedupe import DEFAULT_THRESHOLD, STAGES, DedupeResult, InputError, dedupe


def _probability(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("dedupe", help="Find likely duplicates in INPUT.csv; write pairs.csv and clusters.csv.")
        run.add_argument("input", type=Path, metavar="INPUT.csv")
        run.add_argument("--out", type=Path, required=True, metavar="DIR", help="Directory for the two CSV files.")
        run.add_argument(
            "--threshold",
            type=_probability,
            default=DEFAULT_THRESHOLD,
            help=f"Match probability at or above which a pair is linked (default {DEFAULT_THRESHOLD}).",
        )
        run.add_argument(
            "--seed", type=int, default=42, help="Seed for training's random sample (same seed, same output)."
        )
        run.add_argument(
            "--strict", action="store_true", help="Stop at the first bad value or absent column instead of going on."
        )
        run.add_argument(
            "--backend",
            choices=("duckdb", "spark"),
            default="duckdb",
            help="Where pairs are scored: DuckDB (default) or Splink's Spark backend (PySpark): same clusters.",
        )
        run.add_argument("--model", type=Path, help="Score with this saved model instead of training on INPUT.")
        run.add_argument("--save-model", type=Path, help="Write the trained model (JSON, parameters only) here.")
        sub.add_parser(
            "linkage-keys",
            aliases=["keys"],  # the old name, kept for operators who know it
            help="Store linkage keys for every survivor who has none (erased and sealed excepted).",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] in ("linkage-keys", "keys"):
            from carehub.repeats.linkage import linkage_backfill

            stored = linkage_backfill()
            if options["verbosity"] > 0:
                self.stdout.write(f"Stored linkage keys for {stored} survivors.")
            return
        source: Path = options["input"]
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        quiet = options["verbosity"] == 0
        with tqdm(total=len(STAGES), file=sys.stderr, unit="stage", disable=quiet, leave=False) as bar:

            def on_stage(name: str) -> None:
                if bar.n or name != STAGES[0]:
                    bar.update(1)
                bar.set_description(name)

            try:
                result = dedupe(
                    source,
                    options["out"],
                    hash_key=settings.HASH_KEY,
                    threshold=options["threshold"],
                    options=splink_model.TrainingOptions(seed=options["seed"]),
                    model_path=options["model"],
                    save_model_path=options["save_model"],
                    on_stage=on_stage,
                    strict=options["strict"],
                    backend=options["backend"],
                )
            except InputError as exc:
                raise CommandError(f"{source}: {exc}") from exc
            except (OSError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            bar.update(bar.total - bar.n)
        if options["verbosity"] >= 2:
            for stage in STAGES:
                self.stdout.write(
                    f"  {stage}: {result.seconds.get(stage, 0):.1f} s ({result.cpu_seconds.get(stage, 0):.1f} s CPU)"
                )
        if not quiet:
            self.stdout.write(
                f"{result.records} records: {result.pairs} pairs at or above {options['threshold']}, "
                f"{result.clustered_records} records in {result.clusters} clusters of two or more "
                f"(model: {result.model}). "
                f"Wrote {options['out'] / 'pairs.csv'} and {options['out'] / 'clusters.csv'}."
            )
            self.stdout.write(_rejects_summary(result, options["out"] / "rejects.csv"))


def _rejects_summary(result: DedupeResult, rejects: Path) -> str:
    """The last line: how many values were set aside as missing, by column, and which columns the file lacked."""
    total = sum(result.rejected.values())
    line = f"{total} values set aside as missing"
    if total:
        line += " (" + ", ".join(f"{n} {column}" for column, n in sorted(result.rejected.items())) + ")"
    line += f": listed in {rejects}."
    if result.absent:
        line += f" Columns absent, blank throughout: {', '.join(result.absent)}."
    return line
