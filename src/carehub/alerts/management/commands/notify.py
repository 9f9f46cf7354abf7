from django.core.management.base import BaseCommand

from carehub.alerts.tasks import marac_date_sweep, no_contact_sweep


class Command(BaseCommand):
    help = (
        "`notify sweep`: queue the daily sweeps. One tells caseworkers of open cases with no contact for "
        "CAREHUB_NO_CONTACT_DAYS days (once per case per lapse); the other tells the caseworker of each case whose "
        "MARAC meets within CAREHUB_MARAC_NOTICE_DAYS days, and the managers of the IDVA service holding it (once per "
        "meeting date). Writes notifications and opted-in e-mails; changes nothing else. Run it from cron once a "
        "day; the task worker (`carehub db_worker`) does the work."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, action: str, **options) -> None:
        for name, task in (("no-contact", no_contact_sweep), ("MARAC date", marac_date_sweep)):
            result = task.enqueue()
            self.stdout.write(f"Queued the {name} sweep ({result.id}).")
