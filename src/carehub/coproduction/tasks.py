"""Background work of co-production, on django-tasks (see carehub.notifications.tasks). Both run daily: `carehub
notify sweep` queues them (registered from apps.py, since alerts, which owns that command, sits below this app)."""

from __future__ import annotations

from django_tasks import task

from carehub.coproduction import events, services


@task()
def twelve_week_sweep() -> int:
    """Caseworkers of open cases that have reached 12 weeks: the feedback questionnaire may be offered (once)."""
    return events.twelve_week_sweep()


@task()
def feedback_flush() -> None:
    """Move survivors' held feedback answers into the reported table, in batches and in a random order.

    Returns nothing on purpose: the task queue keeps each run's result, and how many answers moved on which day is
    not the queue's to keep (services.feedback_flush).
    """
    services.feedback_flush()
