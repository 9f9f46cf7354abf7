from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "carehub.search"
    label = "search"
    verbose_name = "Find a survivor"
