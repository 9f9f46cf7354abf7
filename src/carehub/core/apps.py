from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carehub.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # After LOGGING is applied (django.setup configures logging before apps are ready), so nothing replaces it.
        from carehub.core import logredact

        logredact.install()
