from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "carehub.retention"
    label = "retention"
    verbose_name = "Retention, legal holds and backups"

    def ready(self) -> None:
        # alerts owns the daily sweep command and sits below this app, so the retention task registers itself.
        from carehub.alerts import sweeps
        from carehub.retention import homes, tasks  # noqa: F401 (homes registers the legal holds panel)

        sweeps.register("retention", tasks.retention_sweep)
