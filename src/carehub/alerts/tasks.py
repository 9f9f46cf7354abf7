"""Background work that reads other apps' records (linkage after intake, the daily no-contact sweep): kept apart from
`tasks` so the fan-out that lower apps call (break-glass in accounts) never imports referrals or cases."""

from __future__ import annotations

from django_tasks import task

from carehub.alerts import events


@task()
def earlier_referral_check(*, referral_id: int) -> int:
    """After intake: if record linkage suggests she has been referred before, tell the hub a decision awaits."""
    return events.earlier_referral_check(referral_id)


@task()
def no_contact_sweep() -> int:
    """Daily (cron: `carehub notify sweep`): caseworkers of open cases with no contact recorded for N days."""
    return events.no_contact_sweep()


@task()
def marac_date_sweep() -> int:
    """Daily (cron: `carehub notify sweep`): caseworkers (and IDVA services) of cases whose MARAC meets soon."""
    return events.marac_date_sweep()
