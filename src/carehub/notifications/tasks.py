"""Background work for notifications, on django-tasks (the database backend in the demo and in production, so no
extra server; the immediate backend in tests, so they are deterministic). Workers run `carehub db_worker`."""

from __future__ import annotations

from django_tasks import task

from carehub.notifications import services


@task()
def fan_out(
    *, recipient_ids: list[int], kind: str, text: str, link: str, event_key: str, always_email: bool = False
) -> int:
    return services.fan_out_now(
        recipient_ids=recipient_ids, kind=kind, text=text, link=link, event_key=event_key, always_email=always_email
    )
