from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "carehub.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from carehub.referrals import directory_snapshot, homes  # noqa: F401 (homes: registers the home panels)

        directory_snapshot.connect_signals()
