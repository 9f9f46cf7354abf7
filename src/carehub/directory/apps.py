from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "carehub.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from carehub.directory import homes  # noqa: F401 (registers the service manager's capacity panel)
