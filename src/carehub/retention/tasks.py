"""The daily retention task on the task queue (`carehub notify sweep` queues it with the other daily sweeps; apps.py
registers it). It applies the schedule only once an operator has applied a run by hand (`carehub retention run
--apply`): until then, every run it makes is a dry run, so a new installation never erases anything on its own."""

from __future__ import annotations

from django_tasks import task

from carehub.retention import services


@task()
def retention_sweep() -> None:
    """List, or once applied by hand, erase what reached its date. Returns nothing: the run's report is the record."""
    services.retention_run(apply=services.applied_before())
