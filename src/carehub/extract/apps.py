from django.apps import AppConfig


class ExtractConfig(AppConfig):
    name = "carehub.extract"
    label = "extract"
    verbose_name = "Extract"
