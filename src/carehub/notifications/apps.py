from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "carehub.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from carehub.notifications import events  # noqa: F401  (connects the signal receivers)
