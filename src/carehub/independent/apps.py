from django.apps import AppConfig


class IndependentConfig(AppConfig):
    name = "carehub.independent"
    label = "independent"
    verbose_name = "Independent advisory service"

    def ready(self) -> None:
        """Referral intake routes sealed referrals through this app (see services.sealed_referral_route)."""
        from carehub.independent import services
        from carehub.referrals import services as referral_services

        referral_services.route_sealed_with(services.sealed_referral_route)
