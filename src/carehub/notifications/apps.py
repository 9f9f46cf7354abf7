from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "carehub.notifications"
    label = "notifications"
    verbose_name = "Notifications"
