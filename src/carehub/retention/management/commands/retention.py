"""`carehub retention run [--dry-run | --apply] [--as-of YYYY-MM-DD]`: apply the retention schedule.

Lists (dry run) or erases the records of every survivor whose records reached their date under RETENTION_SCHEDULE
(settings.py; `carehub retention schedule` prints it) and who is on no legal hold. Erasing destroys her data key
(her identity and every note sealed under it become unreadable), blanks the free text written about her in the
clear (referral notes and references, offer reasons, repeat-undo and break-glass reasons, disclosure recipients),
and keeps the coded statistical rows (dates, codes, equality answers) that analysis counts. It never deletes an
audit event. Every run writes a report of counts and audit events.

Dry run by default on the first use: until a run has been applied, a run without --apply changes nothing and
says so. After that, a run without either flag applies the schedule, as the daily task does.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from carehub.retention import schedule as rules
from carehub.retention import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="List or erase what reached its date (see --dry-run and --apply).")
        mode = run.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", action="store_true", help="List only; change nothing.")
        mode.add_argument("--apply", action="store_true", help="Erase what is due (needed the first time).")
        run.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="The day to apply it for (today).")
        sub.add_parser("schedule", help="Print the schedule in force: each rule, how long and from when.")

    def handle(self, *args, action: str, **options) -> None:
        schedule = rules.current()
        if action == "schedule":
            for rule, length, trigger in schedule.describe():
                self.stdout.write(f"{rule}: {length}, from {trigger}")
            return
        apply = options["apply"]
        if not apply and not options["dry_run"] and services.applied_before():
            apply = True
        if not apply and not options["dry_run"]:
            self.stdout.write(
                "No retention run has been applied yet: this first run is a dry run and changes nothing. "
                "Check what it lists, then run `carehub retention run --apply`."
            )
        run = services.retention_run(apply=apply, as_of=options["as_of"])
        self._report(run)

    def _report(self, run) -> None:
        verb = "Erased" if run.mode == "applied" else "Due (dry run, nothing changed)"
        self.stdout.write(f"Retention run {run.public_id} for {run.as_of.isoformat()}: {run.get_mode_display()}.")
        for label, counts in (("hub", run.counts), ("sealed pathway", run.sealed_counts)):
            if not counts and label != "hub":
                continue
            parts = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due"
            self.stdout.write(f"  {label}: {parts}")
        due = run.counts.get("due", 0) + run.sealed_counts.get("due", 0)
        done = run.counts.get("erased", 0) + run.sealed_counts.get("erased", 0)
        self.stdout.write(f"{verb}: {done if run.mode == 'applied' else due} survivors.")
        if run.mode == "applied" and done != due:
            self.stdout.write(f"{due - done} survivors due were not erased: a legal hold was placed during the run.")
