from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "carehub.people"
    label = "people"
    verbose_name = "People"
