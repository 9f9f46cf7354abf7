from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "carehub.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from carehub.alerts import events  # noqa: F401  (connects the signal receivers)
