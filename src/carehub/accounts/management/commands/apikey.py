"""`carehub apikey create --org SLUG [--name NAME]` prints a new API key for an organisation (stored hashed).
`carehub apikey revoke PREFIX` revokes a key. `carehub apikey list --org SLUG` lists keys (prefixes only).

Changes: adds or revokes one API key row. Deletes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from carehub.accounts.apikeys import apikey_create, apikey_revoke
from carehub.accounts.models import ApiKey, Organisation


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key and print it once.")
        create.add_argument("--org", required=True, help="The organisation's slug.")
        create.add_argument("--name", default="", help="What the key is for, e.g. the system that uses it.")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="List an organisation's keys.")
        listing.add_argument("--org", required=True)

    def handle(self, *args, action: str, **options) -> None:
        if action == "create":
            org = self._organisation(options["org"])
            _, full_key = apikey_create(actor=None, organisation=org, name=options["name"])
            self.stdout.write(full_key)
        elif action == "revoke":
            key = ApiKey.objects.filter(prefix=options["prefix"]).first()
            if key is None:
                raise CommandError(f"No API key has the prefix {options['prefix']!r}.")
            apikey_revoke(actor=None, key=key)
            self.stdout.write(f"Revoked API key {key.prefix}.")
        else:
            org = self._organisation(options["org"])
            for key in org.api_keys.order_by("created_at"):
                state = "revoked" if key.revoked_at else "active"
                self.stdout.write(f"{key.prefix}\t{state}\t{key.created_at:%Y-%m-%d}\t{key.name}")

    @staticmethod
    def _organisation(slug: str) -> Organisation:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organisation has the slug {slug!r}. Check the spelling, or create it first.")
        return org
