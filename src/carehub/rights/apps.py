from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "carehub.rights"
    label = "rights"
    verbose_name = "Her rights over her data: subject access, rectification and erasure on request"
