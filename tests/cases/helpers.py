"""Small builders shared by the case tests: waiting cases, measures, and form posts."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from carehub.cases import services
from carehub.cases.models import Case, CaseStatus
from tests import factories as f

ANSWERS = {"feels_safe": 3, "wellbeing": 4, "quality_of_life": 5, "confidence_help": 2}


def waiting_case(world, service_key: str = "solace", *, days_ago: int = 0, **referral) -> Case:
    """A case the service has accepted, waiting for a caseworker, accepted `days_ago` days ago."""
    service = world.services[service_key]
    accepted = timezone.now() - dt.timedelta(days=days_ago)
    made = f.ReferralFactory(status="accepted", routed_service=service, **referral)
    return f.CaseFactory(
        referral=made, service=service, status=CaseStatus.WAITING, caseworker=None, accepted_at=accepted, opened_at=None
    )


def open_case(world, worker: str = "alice", service_key: str = "solace", manager: str = "amara") -> Case:
    case = waiting_case(world, service_key)
    services.case_allocate(
        actor=world.users[manager], case=case, caseworker=world.users[worker], expected_version=case.version
    )
    case.refresh_from_db()
    return case


def measures(**overrides) -> services.Measures:
    return services.Measures(**{**ANSWERS, **overrides})


def measures_post(**overrides) -> dict:
    """What the outcome form posts when she answered."""
    return {"answered": "answered", **ANSWERS, **overrides}


def date_post(name: str, value: dt.date) -> dict:
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}
