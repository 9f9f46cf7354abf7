from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "carehub.rights"
    label = "rights"
    verbose_name = "Her rights over her data: subject access, rectification and erasure on request"

    def ready(self) -> None:
        from carehub.rights import homes  # noqa: F401 (registers the home panel)
