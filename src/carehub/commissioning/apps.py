from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "carehub.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning evidence"
