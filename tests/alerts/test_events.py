"""Alerts (tests/notifications has the rest): the MARAC reminder (a meeting within N days tells the case's caseworker
and the IDVA service holding it, once per meeting date, with nothing personal in the text; a sealed case is told
within the independent service alone), reminders only to a caseworker who may still see the case, and the
possible-earlier-referral notice through the intake itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from carehub.alerts import events
from carehub.cases.models import CaseStatus
from carehub.core.public_ids import display
from carehub.marac.models import MaracOutcome
from carehub.notifications.models import Kind, Notification
from tests import factories as f

TODAY = dt.date(2026, 12, 1)


def _told(kind: str = Kind.MARAC_DATE) -> dict[str, list[str]]:
    rows = Notification.objects.filter(kind=kind).select_related("recipient").order_by("recipient__username")
    told: dict[str, list[str]] = {}
    for notice in rows:
        told.setdefault(notice.recipient.username, []).append(notice.text)
    return told


@pytest.fixture
def meeting(world):
    """Quaymarsh's case (alice holds it) taken to MARAC, meeting four days after TODAY."""
    return f.MaracReferralFactory(referral=world.referrals["solace"], meeting_date=TODAY + dt.timedelta(days=4))


def test_a_meeting_within_the_notice_tells_the_caseworker_and_the_idva_service_once(world, meeting):
    assert events.marac_date_sweep(today=TODAY) == 2
    assert events.marac_date_sweep(today=TODAY + dt.timedelta(days=1)) == 0  # the next day's sweep tells no one again
    case = world.cases["solace"]
    text = f"A MARAC meeting on 05 December 2026 discusses case {display(case.public_id)}."
    # the caseworker and the manager of the IDVA service, each once, and nobody else
    assert _told() == {"alice": [text], "amara": [text]}
    notice = Notification.objects.get(recipient=world.users["alice"])
    assert notice.link == f"/cases/{case.public_id}/"
    assert world.marker("solace") not in notice.text


def test_only_meetings_within_the_notice_period_and_not_yet_heard(world, meeting, settings):
    settings.CAREHUB_MARAC_NOTICE_DAYS = 3
    assert events.marac_date_sweep(today=TODAY) == 0  # four days ahead: not yet
    assert events.marac_date_sweep(today=TODAY + dt.timedelta(days=1)) == 2
    Notification.objects.all().delete()
    meeting.outcome = MaracOutcome.ACTIONS_AGREED
    meeting.save()
    assert events.marac_date_sweep(today=TODAY + dt.timedelta(days=2)) == 0  # heard: nothing to remind of
    meeting.outcome = ""
    meeting.save()
    assert events.marac_date_sweep(today=TODAY + dt.timedelta(days=5)) == 0  # the meeting is past


def test_a_moved_meeting_is_told_again_and_a_closed_case_not_at_all(world, meeting):
    events.marac_date_sweep(today=TODAY)
    meeting.meeting_date = TODAY + dt.timedelta(days=6)
    meeting.save()
    assert events.marac_date_sweep(today=TODAY) == 2
    assert len(_told()["alice"]) == 2
    case = world.cases["solace"]
    case.status = CaseStatus.CLOSED
    case.save()
    meeting.meeting_date = TODAY + dt.timedelta(days=2)
    meeting.save()
    assert events.marac_date_sweep(today=TODAY) == 0


def test_a_case_not_at_an_idva_service_tells_its_caseworker_alone(world):
    refuge = world.services["refuge"]
    referral = f.ReferralFactory(routed_service=refuge)
    f.CaseFactory(referral=referral, service=refuge, caseworker=world.users["amir"])
    f.MaracReferralFactory(referral=referral, meeting_date=TODAY)
    events.marac_date_sweep(today=TODAY)
    assert sorted(_told()) == ["amir"]


def test_a_sealed_meeting_is_told_within_the_independent_service_alone(world):
    world.maracs["sealed"].meeting_date = TODAY + dt.timedelta(days=1)
    world.maracs["sealed"].save()
    # The same sealed woman's record wrongly held by a specialist service must tell nobody there.
    wrong = f.ReferralFactory(sealed=True, routed_service=world.services["solace"])
    f.CaseFactory(referral=wrong, service=world.services["solace"], caseworker=world.users["alice"])
    f.MaracReferralFactory(referral=wrong, meeting_date=TODAY + dt.timedelta(days=1))
    events.marac_date_sweep(today=TODAY)
    assert sorted(_told()) == ["ines"]


def test_the_command_queues_both_sweeps_and_the_worker_tells(world, meeting):
    """`carehub notify sweep` as cron runs it; tests run tasks at once (the immediate backend)."""
    meeting.meeting_date = timezone.localdate() + dt.timedelta(days=2)  # whatever today is, within 7 days
    meeting.save()
    call_command("notify", "sweep")
    assert "alice" in _told()


def test_a_caseworker_who_has_left_the_service_is_told_nothing(world, meeting, settings):
    """The case still names her until it is reallocated, but her scope no longer holds it: neither sweep tells her."""
    from carehub.cases.models import Contact

    settings.CAREHUB_NO_CONTACT_DAYS = 14
    world.users["alice"].memberships.update(is_active=False)
    Contact.objects.create(
        case=world.cases["solace"], kind="call", on=TODAY - dt.timedelta(days=30), minutes=5, recorded_at=timezone.now()
    )
    events.marac_date_sweep(today=TODAY)
    events.no_contact_sweep(today=TODAY)
    assert "alice" not in _told() and not _told(Kind.NO_CONTACT)
    assert sorted(_told()) == ["amara"]  # the IDVA service is still told of the meeting


def test_an_intake_that_looks_like_an_earlier_referral_tells_the_hub(world):
    """Through the intake itself: referral_create signals, the linkage check runs on the queue, the hub is told.
    A sealed intake of the same woman is never matched, so tells no one."""
    from tests.repeats.helpers import AMINA, AMINA_MISSPELT, intake

    intake(AMINA, days_ago=300)
    assert not _told(Kind.EARLIER_REFERRAL)
    new = intake(AMINA_MISSPELT)
    text = f"Referral {new.reference} may be a repeat: a possible earlier referral awaits a decision."
    assert _told(Kind.EARLIER_REFERRAL) == {"hana": [text]}
    intake(AMINA_MISSPELT, police=True)
    assert Notification.objects.filter(kind=Kind.EARLIER_REFERRAL).count() == 1
