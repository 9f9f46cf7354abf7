"""The header's count of unread notifications, and whether to show the search box link: one indexed count."""

from __future__ import annotations

from carehub.accounts import policy
from carehub.notifications.models import Notification


def header(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Once per request: a page whose panels render their own templates (with the request) would count again each time.
    cached = getattr(request, "_carehub_header", None)
    if cached is not None:
        return cached
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    request._carehub_header = {
        "unread_notifications": unread.count(),
        # The home page's "for your attention" list: a lazy queryset, read only by a page that shows it (core sits
        # below notifications in .importlinter, so its home view cannot ask for them itself).
        "unread_notices": unread.order_by("-pk")[:20],
        "can_search_people": policy.can_search_people(user),
    }
    return request._carehub_header
