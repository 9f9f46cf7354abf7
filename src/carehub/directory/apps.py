from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "carehub.directory"
    label = "directory"
    verbose_name = "Directory"
