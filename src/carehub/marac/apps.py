from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "carehub.marac"
    label = "marac"
    verbose_name = "MARAC referrals"

    def ready(self) -> None:
        from carehub.marac import services
        from carehub.referrals import services as referrals

        referrals.after_triage_with(
            lambda actor, referral, assessment: services.marac_refer(
                actor=actor, referral=referral, assessment=assessment
            )
        )
