from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from carehub.notifications.models import Notification, Preference


def notifications_for(user) -> QuerySet[Notification]:
    """A user's own notifications only: nobody reads anyone else's."""
    return Notification.objects.filter(recipient=user)


def get_notification_for_user(user, pk: int) -> Notification:
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def wants_email(user) -> bool:
    return Preference.objects.filter(user=user, email=True).exists()
