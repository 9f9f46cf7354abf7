"""`carehub datakeys rotate`: re-wraps every survivor's data key under the newest CAREHUB_FIELD_KEYS key.

`carehub keys rotate`, the name operators know, stays as an alias (people/management/commands/keys.py).

Changes: the wrapped data keys (one row per survivor), in batches, each batch with its audit event. Deletes nothing;
destroyed (erased) keys are left as they are. Run it after putting a new key first in CAREHUB_FIELD_KEYS, with the old
keys still listed after it; once it has finished, the older keys can be removed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from carehub.people.crypto import KeyUnavailable
from carehub.people.services import data_keys_rotate


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="Re-wrap every live data key under the newest key-encryption key.")

    def handle(self, *args, **options) -> None:
        try:
            count = data_keys_rotate(actor=None)
        except KeyUnavailable as exc:
            raise CommandError(
                f"Rotation stopped: {exc}. Keep every old key in CAREHUB_FIELD_KEYS, after the new one, until "
                "rotation has finished; the batches already done are committed, so run it again."
            ) from exc
        self.stdout.write(f"Re-wrapped {count} data keys under the newest key.")
