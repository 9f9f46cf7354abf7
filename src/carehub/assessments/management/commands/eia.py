"""`carehub eia`: equality impact assessments.

    carehub eia run SPEC.toml [--data NAME=PATH ...] [--backend duckdb|pyspark|postgres] --out DIR
    carehub eia publish      extract the hub's data, assess it with the shipped hub.toml, and publish the results
                             for commissioners at /insight/equality

`run` is the library's own command line (carehub.insight.equality.cli), unchanged: it needs no database.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from carehub.insight.equality.cli import main as eia_main


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["run", "publish"])
        parser.add_argument("rest", nargs="*", help="for run: the specification and its options (see run --help)")

    def run_from_argv(self, argv: list[str]) -> None:
        # `run` passes everything after it to the library's parser, options included.
        if len(argv) > 2 and argv[2] == "run":
            sys.exit(eia_main(argv[2:]))
        super().run_from_argv(argv)

    def handle(self, *args, action: str, rest: list[str], **options) -> None:
        if action == "run":  # called through call_command
            status = eia_main(["run", *rest])
            if status:
                raise CommandError("the assessment could not be made (see the message above)")
            return
        from carehub.assessments.services import assessment_publish
        from carehub.insight.equality.errors import EIAError
        from carehub.insight.equality.progress import Progress

        progress = Progress(sys.stderr) if options.get("verbosity", 1) > 0 else None
        try:
            assessment, folder = assessment_publish(progress=progress)
        except EIAError as error:  # e.g. too few referrals yet for a reference group: say so, publish nothing
            raise CommandError(f"nothing published: {error}") from None
        finally:
            if progress:
                progress.close()
        headline = [r for r in assessment.results if r["family"] == "headline"]
        self.stdout.write(f"{assessment.spec.title}: {len(assessment.results):,} results ({len(headline):,} headline).")
        self.stdout.write(f"Published to {folder}; commissioners see it at /insight/equality/.")
