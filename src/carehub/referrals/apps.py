from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "carehub.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from carehub.referrals import directory_snapshot

        directory_snapshot.connect_signals()
