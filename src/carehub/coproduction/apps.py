from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "carehub.coproduction"
    label = "coproduction"
    verbose_name = "Co-production: commitments, consultations and survivors' voice"
