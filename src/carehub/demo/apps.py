from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "carehub.demo"
    label = "demo"
    verbose_name = "Demo"
