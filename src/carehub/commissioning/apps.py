from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "carehub.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning evidence"

    def ready(self) -> None:
        from carehub.commissioning import homes  # noqa: F401 (registers the service manager's evidence panel)
