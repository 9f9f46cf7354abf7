from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carehub.core"
    label = "core"
    verbose_name = "Core"
