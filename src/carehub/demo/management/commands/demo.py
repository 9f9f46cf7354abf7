"""`carehub demo logins`: prints the demo sign-ins (username, password, role, organisation, what each can do).

Reads only; changes nothing. The accounts exist after `carehub seed`; the command refuses to run in production,
where they must not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carehub.accounts.models import Organisation, Role, User
from carehub.demo.personas import DEMO_PASSWORD, PERSONAS

# What each role can do, in the words a first-time visitor needs (the access policy itself is in policy.py).
CAN_DO: dict[str, str] = {
    Role.HUB_WORKER: "triage and route every referral except the sealed pathway",
    Role.CASEWORKER: "work the cases of her own service allocated to her",
    Role.SERVICE_MANAGER: "see her service's inbox, cases, waiting list and capacity; allocate cases",
    Role.INDEPENDENT_ADVISER: "sealed-pathway referrals and cases (abuse by police), and nothing else",
    Role.REFERRER: "send referrals and follow the status of those her organisation sent",
    Role.COMMISSIONER: "aggregate figures only, small numbers suppressed; never a person",
    Role.AUDITOR: "search the audit trail; see who looked at any survivor's record",
    Role.ADMINISTRATOR: "configuration and users; case content only by audited break-glass",
}


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("logins", help="Print the demo sign-ins.")

    def handle(self, *args, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("There are no demo sign-ins in production.")
        names = dict(Organisation.objects.values_list("slug", "name"))
        existing = set(
            User.objects.filter(username__in=[p.username for p in PERSONAS]).values_list("username", flat=True)
        )
        rows = [("username", "password", "role", "organisation", "can")]
        rows += [
            (
                p.username,
                DEMO_PASSWORD,
                Role(p.role).label,
                names.get(p.organisation_slug, p.organisation_slug),
                CAN_DO[p.role],
            )
            for p in PERSONAS
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("Demo sign-ins at http://127.0.0.1:8000/ (synthetic data only):\n")
        for i, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        missing = [p.username for p in PERSONAS if p.username not in existing]
        if missing:
            self.stdout.write(self.style.WARNING(f"\nNot yet created: {', '.join(missing)}. Run `carehub seed` first."))
