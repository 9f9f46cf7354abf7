"""`carehub backup verify --dump FILE [--keys FILE]`: restore a backup into a scratch database and check it.

Creates a PostgreSQL database of its own on the server Care Hub uses, restores the main dump (custom or plain
format) into it, lays the key dump's rows over the restored key table, then checks both audit chains and that every
survivor erased in the live database stays unreadable in the restored copy; drops the scratch database whatever
happens. Writes one audit event to the live database and changes nothing else. Exit status 0 when the backup
passes; 1, naming each problem, when it does not. See README, "Backups", for how the two dumps are made.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carehub.retention import backup


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Restore into a scratch database, check, drop it.")
        verify.add_argument("--dump", type=Path, required=True, help="The main dump (pg_dump --format=custom).")
        verify.add_argument("--keys", type=Path, default=None, help="The newer dump of the data-key table.")

    def handle(self, *args, **options) -> None:
        try:
            report = backup.verify(dump=options["dump"], keys=options["keys"])
        except backup.BackupError as exc:
            raise CommandError(f"The backup could not be checked: {exc}") from None
        for line in report.lines:
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("The backup FAILED verification:\n" + "\n".join(report.problems))
        self.stdout.write("The backup PASSED verification.")
