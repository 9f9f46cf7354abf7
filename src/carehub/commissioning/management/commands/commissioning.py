"""`carehub commissioning`: evidence for commissioning community services.

    carehub commissioning run [--data DIR] [--backend duckdb|pyspark] --out DIR
    carehub commissioning publish   extract the hub's data, run, and publish for commissioners at
                                    /insight/commissioning

`run` is the library's own command line (carehub.insight.commissioning.cli): it needs no database.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from carehub.insight.commissioning.cli import main as commissioning_main


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["run", "publish"])
        parser.add_argument("rest", nargs="*", help="for run: its options (see run --help)")

    def run_from_argv(self, argv: list[str]) -> None:
        if len(argv) > 2 and argv[2] == "run":  # everything after `run` goes to the library's parser
            sys.exit(commissioning_main(argv[2:]))
        super().run_from_argv(argv)

    def handle(self, *args, action: str, rest: list[str], **options) -> None:
        if action == "run":  # called through call_command
            if commissioning_main(["run", *rest]):
                raise CommandError("the run could not be made (see the message above)")
            return
        from carehub.commissioning.services import evidence_publish
        from carehub.insight.equality.progress import Progress

        progress = Progress(sys.stderr) if options.get("verbosity", 1) > 0 else None
        try:
            results, folder = evidence_publish(progress=progress)
        finally:
            if progress:
                progress.close()
        for sentence in results["findings"]:
            self.stdout.write(sentence)
        self.stdout.write(f"Published to {folder}; commissioners see it at /insight/commissioning/.")
