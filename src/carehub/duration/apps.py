from django.apps import AppConfig


class DurationConfig(AppConfig):
    name = "carehub.duration"
    label = "duration"
    verbose_name = "Support duration and repeat referrals"
