from django.apps import AppConfig


class IndependentConfig(AppConfig):
    name = "carehub.independent"
    label = "independent"
    verbose_name = "Independent advisory service"
