"""`carehub audit verify`: checks the audit trail's hash chain. Reads only; changes nothing.

Exit status 0 when every event is intact and linked; 1 with the first altered or missing event named otherwise.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from carehub.audit.services import head, verify_chain


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check every event's hash and link; name the first broken one.")

    def handle(self, *args, **options) -> None:
        broken = verify_chain()
        if broken is not None:
            raise CommandError(f"The audit trail is broken at event {broken.seq}: {broken.problem}.")
        seq, digest = head()
        self.stdout.write(f"The audit trail is intact: {seq} events, last hash {digest}.")
