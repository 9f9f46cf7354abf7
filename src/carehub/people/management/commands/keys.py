"""`carehub keys rotate`: re-wraps every survivor's data key under the newest CAREHUB_FIELD_KEYS key.

Changes: the wrapped data keys (one row per survivor). Deletes nothing. Run it after putting a new key first in
CAREHUB_FIELD_KEYS; once it has finished, the older keys can be removed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from carehub.people.services import data_keys_rotate


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rotate", help="Re-wrap every data key under the newest key-encryption key.")

    def handle(self, *args, **options) -> None:
        count = data_keys_rotate(actor=None)
        self.stdout.write(f"Re-wrapped {count} data keys under the newest key.")
