"""The daily sweeps that `carehub notify sweep` queues (cron runs it once a day; the task worker does the work).

alerts' own sweeps are listed here; an app above alerts, which alerts may not import (co-production's 12-week
feedback notice and the flush of held feedback), adds its own from its AppConfig.ready() through `register`.
"""

from __future__ import annotations

from django_tasks.base import Task

_REGISTERED: dict[str, Task] = {}


def register(name: str, task: Task) -> None:
    """Add a daily sweep under a name shown when it is queued; registering a name again replaces it."""
    _REGISTERED[name] = task


def daily() -> list[tuple[str, Task]]:
    """Every daily sweep, alerts' own first, then the registered ones in the order they were registered."""
    from carehub.alerts.tasks import marac_date_sweep, no_contact_sweep

    return [("no-contact", no_contact_sweep), ("MARAC date", marac_date_sweep), *_REGISTERED.items()]
