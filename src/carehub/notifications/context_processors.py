"""The header's count of unread notifications, and whether to show the search box link: one indexed count."""

from __future__ import annotations

from carehub.accounts import policy
from carehub.notifications.models import Notification


def header(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "can_search_people": policy.can_search_people(user),
    }
