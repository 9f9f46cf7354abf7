from django.core.management.base import BaseCommand

from carehub.alerts.tasks import no_contact_sweep


class Command(BaseCommand):
    help = (
        "`notify sweep`: queue the daily sweep that tells caseworkers of open cases with no contact for "
        "CAREHUB_NO_CONTACT_DAYS days. Writes notifications (once per case per lapse) and opted-in e-mails; "
        "changes nothing else. Run it from cron once a day; the task worker (`carehub db_worker`) does the work."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, action: str, **options) -> None:
        result = no_contact_sweep.enqueue()
        self.stdout.write(f"Queued the no-contact sweep ({result.id}).")
