from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "carehub.marac"
    label = "marac"
    verbose_name = "MARAC referrals"
