"""`carehub audit verify [--anchor SEQ:HASH]`: checks the audit trail's hash chain. Reads only; changes nothing.

Exit status 0 when every event is intact and linked; 1 with the first altered or missing event named otherwise.
On success it prints the head, `SEQ:HASH`: keep it somewhere the database's users cannot write, and pass it back
with `--anchor` later to prove the trail was neither cut back nor re-chained from an earlier event.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

from carehub.audit.services import head, verify_anchor, verify_chain

_ANCHOR = re.compile(r"^(?P<seq>[1-9][0-9]*):(?P<digest>[0-9a-f]{64})$")


def _anchor(value: str) -> tuple[int, str]:
    match = _ANCHOR.match(value.strip().lower())
    if match is None:
        raise CommandError(f"--anchor must be SEQ:HASH as printed by 'carehub audit verify', not {value!r}")
    return int(match["seq"]), match["digest"]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check every event's hash and link; name the first broken one.")
        verify.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A head printed by an earlier run; the event it names must still carry that hash. Repeatable.",
        )

    def handle(self, *args, **options) -> None:
        anchors = [_anchor(value) for value in options.get("anchor") or []]
        broken = verify_chain()
        for seq, digest in anchors:
            broken = broken or verify_anchor(seq, digest)
        if broken is not None:
            raise CommandError(f"The audit trail is broken at event {broken.seq}: {broken.problem}.")
        seq, digest = head()
        self.stdout.write(f"The audit trail is intact: {seq} events, head {seq}:{digest}.")
