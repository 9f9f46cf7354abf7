"""Writing notifications. `notify` is what every event calls; the fan-out itself runs on the task queue."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from carehub.notifications.models import Kind, Notification, Preference

EMAIL_SUBJECT = "Care Hub: something needs you"
# The in-app text of a security alert names who and which record; its e-mail says only that something happened.
EMAIL_ALERT = "An administrator tried to open a sealed record. It was refused."


def notify(
    *, recipient_ids: Iterable[int], kind: Kind, text: str, link: str = "", event_key: str, always_email: bool = False
) -> None:
    """Queue one notification to each recipient. Enqueued in the caller's transaction: with the database backend the
    task row commits (or rolls back) with the event that caused it, so no one is told of something that never was."""
    from carehub.notifications.tasks import fan_out  # tasks import this module

    ids = sorted(set(recipient_ids))
    if ids:
        fan_out.enqueue(
            recipient_ids=ids, kind=str(kind), text=text, link=link, event_key=event_key, always_email=always_email
        )


def fan_out_now(
    *, recipient_ids: list[int], kind: str, text: str, link: str, event_key: str, always_email: bool = False
) -> int:
    """Write the notifications (one per recipient, never twice for one event) and e-mail those who opted in
    (everyone with an address, for `always_email`: a security alert such as a refused break-glass attempt)."""
    existing = set(
        Notification.objects.filter(event_key=event_key, recipient_id__in=recipient_ids).values_list(
            "recipient_id", flat=True
        )
    )
    new_ids = [i for i in recipient_ids if i not in existing]
    rows = [Notification(recipient_id=i, kind=kind, text=text, link=link, event_key=event_key) for i in new_ids]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    _email(new_ids, text=EMAIL_ALERT if always_email else text, link=link, everyone=always_email)
    return len(new_ids)


def _email(recipient_ids: list[int], *, text: str, link: str, everyone: bool = False) -> None:
    """Only the same non-personal text and a link: personal data stays inside Care Hub."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if everyone:
        addresses = users.filter(pk__in=recipient_ids)
    else:
        addresses = users.filter(
            pk__in=Preference.objects.filter(user_id__in=recipient_ids, email=True).values("user_id")
        )
    body = f"{text}\n\nSign in to Care Hub to see it: {settings.CAREHUB_BASE_URL.rstrip('/')}{link}\n"
    messages = [(EMAIL_SUBJECT, body, None, [email]) for email in addresses.values_list("email", flat=True)]
    if messages:
        send_mass_mail(messages, fail_silently=True)


def notification_read(*, user, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notifications_all_read(*, user) -> None:
    Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def preference_set(*, user, email: bool) -> None:
    Preference.objects.update_or_create(user=user, defaults={"email": email})
