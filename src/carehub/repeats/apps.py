from django.apps import AppConfig


class RepeatsConfig(AppConfig):
    name = "carehub.repeats"
    label = "repeats"
    verbose_name = "Repeat referrals"
