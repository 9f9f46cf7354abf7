from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from carehub.core import public_ids
from carehub.notifications.models import Notification, Preference


def notifications_for(user) -> QuerySet[Notification]:
    """A user's own notifications only: nobody reads anyone else's."""
    return Notification.objects.filter(recipient=user)


def get_notification_for_user(user, public_id: str) -> Notification:
    """One of the user's own notifications by its public id; anyone else's, or a malformed id, answers 404."""
    parsed = public_ids.parse(public_id)
    notification = notifications_for(user).filter(public_id=parsed).first() if parsed else None
    if notification is None:
        raise Http404
    return notification


def wants_email(user) -> bool:
    return Preference.objects.filter(user=user, email=True).exists()
