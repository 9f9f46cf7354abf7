"""Background work of the accounts app, on django-tasks (see carehub.notifications.tasks)."""

from __future__ import annotations

from django_tasks import task

from carehub.accounts import services


@task()
def deliver_invitation(*, invitation_id: int) -> bool:
    """Mint an invitation's token and e-mail its link. Only the id is queued: the secret never enters the task table."""
    return services.invitation_deliver(invitation_id=invitation_id)
