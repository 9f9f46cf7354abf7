from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "carehub.coproduction"
    label = "coproduction"
    verbose_name = "Co-production: commitments, consultations and survivors' voice"

    def ready(self) -> None:
        from carehub.alerts import sweeps
        from carehub.coproduction import tasks

        sweeps.register("12-week feedback", tasks.twelve_week_sweep)
        sweeps.register("feedback flush", tasks.feedback_flush)
