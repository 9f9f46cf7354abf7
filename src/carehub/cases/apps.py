from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "carehub.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        """Give routing (in referrals, a lower app that must not import cases) the open-case counts it weighs
        against capacity, and tell its directory snapshot when a case is saved or deleted."""
        from django.db.models.signals import post_delete, post_save

        from carehub.cases import homes, selectors  # noqa: F401 (homes: registers the home panel)
        from carehub.cases.models import Case
        from carehub.referrals import directory_snapshot, routing

        routing.count_open_cases_with(selectors.open_case_counts)
        post_save.connect(directory_snapshot.open_cases_changed, sender=Case, dispatch_uid="routing-open-cases-save")
        post_delete.connect(
            directory_snapshot.open_cases_changed, sender=Case, dispatch_uid="routing-open-cases-delete"
        )
