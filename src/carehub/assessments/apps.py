from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    """The published equality impact assessments (pages at /insight/equality/, command `carehub eia`).

    The package was `carehub.equality`; the label stays "equality" so that content types, permissions, the URL
    namespace and template folder keep their names and nothing in a database has to change with the rename.
    """

    name = "carehub.assessments"
    label = "equality"
    verbose_name = "Equality impact"
