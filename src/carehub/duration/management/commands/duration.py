"""`carehub duration`: does support longer than 12 weeks reduce repeat referrals?

    carehub duration run [--data DIR] [--backend duckdb|pyspark] [--spec SPEC.toml] [--extract-date DATE] --out DIR
    carehub duration publish [--data DIR] [--extract-date DATE]
                             extract the hub's data (or read the extract in DIR: episodes.parquet, and
                             referrals.parquet if the episodes lack their next referral), analyse it and replace the
                             results commissioners see at /insight/duration/ (only results.json, results.csv,
                             report.html)

`run` is the library's own command line (carehub.insight.duration.cli), unchanged: it needs no database.
"""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from carehub.insight.duration.cli import main as duration_main


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["run", "publish"])
        parser.add_argument("rest", nargs="*", help="for run: its options (see run --help)")
        parser.add_argument("--data", help="for publish: an extract folder (default: extract the hub's data now)")
        parser.add_argument("--extract-date", type=dt.date.fromisoformat, default=None)

    def run_from_argv(self, argv: list[str]) -> None:
        if len(argv) > 2 and argv[2] == "run":  # everything after `run` goes to the library's parser
            sys.exit(duration_main(argv[2:]))
        super().run_from_argv(argv)

    def handle(self, *args, action: str, rest: list[str], data: str | None, extract_date, **options) -> None:
        if action == "run":
            if duration_main(["run", *rest]):
                raise CommandError("the analysis could not be made (see the message above)")
            return
        from carehub.duration.services import duration_publish
        from carehub.insight.duration import DurationError

        try:
            document, folder = duration_publish(data_dir=data, extract_date=extract_date)
        except DurationError as error:
            raise CommandError(f"nothing published: {error}") from None
        self.stdout.write(document["findings"][0])
        self.stdout.write(f"Published to {folder}; commissioners see it at /insight/duration/.")
