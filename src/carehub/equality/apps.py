from django.apps import AppConfig


class EqualityConfig(AppConfig):
    name = "carehub.equality"
    label = "equality"
    verbose_name = "Equality impact"
