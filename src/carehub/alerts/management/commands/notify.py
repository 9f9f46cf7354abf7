from django.core.management.base import BaseCommand

from carehub.alerts import sweeps


class Command(BaseCommand):
    help = (
        "`notify sweep`: queue the daily sweeps. One tells caseworkers of open cases with no contact for "
        "CAREHUB_NO_CONTACT_DAYS days (once per case per lapse); one tells the caseworker of each case whose "
        "MARAC meets within CAREHUB_MARAC_NOTICE_DAYS days, and the managers of the IDVA service holding it (once per "
        "meeting date); co-production's tell a caseworker once when a case reaches 12 weeks (the feedback "
        "questionnaire may be offered) and move survivors' held feedback answers into the reported table in batches; "
        "retention's applies the retention schedule (`carehub retention run`: a dry run until an operator has applied "
        "one with --apply, then it erases what reached its date). Writes notifications, opted-in e-mails, feedback "
        "answers and retention runs; changes nothing else. Run it from cron once a day; the task worker "
        "(`carehub db_worker`) does the work."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["sweep"])

    def handle(self, *args, action: str, **options) -> None:
        for name, task in sweeps.daily():
            result = task.enqueue()
            self.stdout.write(f"Queued the {name} sweep ({result.id}).")
