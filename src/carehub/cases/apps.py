from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "carehub.cases"
    label = "cases"
    verbose_name = "Cases"
