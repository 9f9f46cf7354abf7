"""The 12-week prompt: the daily sweep tells a caseworker, once per case, that a case of hers has reached 12 weeks and
the feedback questionnaire may be offered; with nothing personal in the text, only while her own scope holds the
case, never for a case already offered it, a closed one, or one on the sealed pathway (which offers no link)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from carehub.cases.models import CaseStatus
from carehub.coproduction import events, services
from carehub.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def _told() -> dict[str, list[tuple[str, str]]]:
    rows = Notification.objects.filter(kind=Kind.FEEDBACK_DUE).select_related("recipient").order_by("pk")
    told: dict[str, list[tuple[str, str]]] = {}
    for notice in rows:
        told.setdefault(notice.recipient.username, []).append((notice.text, notice.link))
    return told


def _aged(case, weeks: float):
    case.status, case.opened_at = CaseStatus.OPEN, NOW - dt.timedelta(weeks=weeks)
    case.save(update_fields=["status", "opened_at"])
    return case


def test_a_case_at_twelve_weeks_tells_its_caseworker_once(world):
    case = _aged(world.cases["sistah"], 12)
    _aged(world.cases["solace"], 11)  # alice's case is a week short
    assert events.twelve_week_sweep(now=NOW) == 1
    link = reverse("coproduction:feedback_offer", kwargs={"public_id": case.public_id})
    assert _told() == {"bola": [(events.TWELVE_WEEK_TEXT, link)]}
    # Nothing personal: no name, no case number in the text (the link leads to the page the policy guards).
    assert "Kestrelmarker" not in events.TWELVE_WEEK_TEXT and case.public_id not in events.TWELVE_WEEK_TEXT
    # The next days' sweeps tell no one again, and neither does a new caseworker's: once per case.
    assert events.twelve_week_sweep(now=NOW + dt.timedelta(days=1)) == 0
    case.caseworker = world.users["bea"]
    case.save(update_fields=["caseworker"])
    assert events.twelve_week_sweep(now=NOW + dt.timedelta(days=2)) == 0
    assert list(_told()) == ["bola"]
    # alice's case reaches 12 weeks a week later.
    assert events.twelve_week_sweep(now=NOW + dt.timedelta(days=7)) == 1
    assert sorted(_told()) == ["alice", "bola"]


def test_no_prompt_once_offered_when_closed_or_before_twelve_weeks(world):
    case = _aged(world.cases["sistah"], 13)
    services.feedback_offer(actor=world.users["bola"], case=case, method="text", safe_methods={"text"}, now=NOW)
    _aged(world.cases["solace"], 20)
    world.cases["solace"].status = CaseStatus.CLOSED
    world.cases["solace"].save(update_fields=["status"])
    assert events.twelve_week_sweep(now=NOW) == 0 and not _told()


def test_a_sealed_case_prompts_no_one_as_the_sealed_pathway_offers_no_link(world):
    _aged(world.cases["sealed"], 20)
    assert events.twelve_week_sweep(now=NOW) == 0 and not _told()


def test_a_caseworker_who_has_left_the_service_is_not_prompted(world):
    _aged(world.cases["sistah"], 13)
    world.users["bola"].memberships.update(is_active=False)
    assert events.twelve_week_sweep(now=NOW) == 0 and not _told()
    world.users["bola"].memberships.update(is_active=True)
    world.users["bola"].is_active = False
    world.users["bola"].save(update_fields=["is_active"])
    assert events.twelve_week_sweep(now=NOW) == 0 and not _told()


def test_the_daily_sweep_queues_it(world):
    """`carehub notify sweep` as cron runs it (the immediate backend runs the queued task at once)."""
    case = world.cases["sistah"]
    case.opened_at = case.opened_at - dt.timedelta(weeks=13)  # the factory opened it now, whatever now is
    case.save(update_fields=["opened_at"])
    call_command("notify", "sweep")
    assert list(_told()) == ["bola"]
