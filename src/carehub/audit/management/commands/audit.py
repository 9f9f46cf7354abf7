"""`carehub audit verify [--anchor SEQ:HASH] [--sealed-anchor SEQ:HASH]`: checks both audit chains. Reads only.

The hub's chain and the sealed pathway's chain are checked alike: every event's hash and link. Exit status 0 when
both are intact; 1 otherwise, naming the chain and its first altered or missing event. On success it prints each
chain's head, `SEQ:HASH`: keep them somewhere the database's users cannot write, and pass them back later with
`--anchor` (the hub's chain) and `--sealed-anchor` (the sealed chain) to prove that neither was cut back nor
re-chained from an earlier event.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

from carehub.audit.services import MAIN, SEALED, Chain
from carehub.audit.verification import ChainBreak, head, verify_anchor, verify_chain

_ANCHOR = re.compile(r"^(?P<seq>[1-9][0-9]*):(?P<digest>[0-9a-f]{64})$")


def _anchor(value: str, option: str) -> tuple[int, str]:
    match = _ANCHOR.match(value.strip().lower())
    if match is None:
        raise CommandError(f"{option} must be SEQ:HASH as printed by 'carehub audit verify', not {value!r}")
    return int(match["seq"]), match["digest"]


def _check(chain: Chain, anchors: list[tuple[int, str]]) -> ChainBreak | None:
    broken = verify_chain(chain=chain)
    for seq, digest in anchors:
        broken = broken or verify_anchor(seq, digest, chain=chain)
    return broken


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Check every hash and link in both chains; name the first break.")
        verify.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A head of the hub's chain printed by an earlier run; it must still carry that hash. Repeatable.",
        )
        verify.add_argument(
            "--sealed-anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="The same for the sealed pathway's chain. Repeatable.",
        )

    def handle(self, *args, **options) -> None:
        anchors = {
            MAIN: [_anchor(value, "--anchor") for value in options.get("anchor") or []],
            SEALED: [_anchor(value, "--sealed-anchor") for value in options.get("sealed_anchor") or []],
        }
        problems = []
        for chain in (MAIN, SEALED):
            broken = _check(chain, anchors[chain])
            if broken is not None:
                problems.append(f"The {chain.name} is broken at event {broken.seq}: {broken.problem}.")
        if problems:
            raise CommandError("\n".join(problems))
        # The hub's line last, as the one line printed before the sealed chain existed: a script that reads the last
        # line (or the last "head") still gets the hub's head.
        for chain in (SEALED, MAIN):
            seq, digest = head(chain)
            self.stdout.write(f"The {chain.name} is intact: {seq} events, head {seq}:{digest}.")
