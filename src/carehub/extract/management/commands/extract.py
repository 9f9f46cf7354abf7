"""`carehub extract --out DIR [--sealed-pathway]`: writes the pseudonymised Parquet extract for analysis.

Writes: DIR/referrals.parquet (one row per referral, no identity), DIR/immigration.parquet (counts only),
DIR/closed_cases.parquet (one row per closed case), DIR/offers.parquet (one row per offer), DIR/episodes.parquet (one
row per episode of support, with her next referral, for `carehub duration run --data DIR`), DIR/services.parquet (one
row per service: its type, caseworker FTE and capacity, nothing about a person): the sealed pathway (and the
independent advisory service) is left out of all of them. With --sealed-pathway, also the sealed_*.parquet files of
each.
Changes nothing in the database except one audit event. Overwrites those files in DIR; without
--sealed-pathway, deletes the sealed_*.parquet files from DIR if an earlier run left them there.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from carehub.extract.writer import extract_write


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="Folder to write the Parquet files into.")
        parser.add_argument(
            "--sealed-pathway",
            action="store_true",
            help="Also write the sealed pathway's referrals, for the independent advisory service's own analysis.",
        )

    def handle(self, *args, out: Path, sealed_pathway: bool, **options) -> None:
        summary = extract_write(out_dir=out, sealed_pathway=sealed_pathway)
        for name, rows in summary.files.items():
            self.stdout.write(f"{out / name}: {rows:,} rows")
