"""A survivor record that no referral or case rests on (an intake abandoned after her identity was written) falls due
`unreferred_record_years` (1) after it was created, or after her details were last corrected: without this rule such
a record would never be due at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from carehub.people import services as people_services
from carehub.people.models import Survivor
from carehub.retention import schedule as rules
from carehub.retention import services
from tests import factories as f

TODAY = timezone.localdate()
A_YEAR_ON = rules.years_after(TODAY, 1)  # created today: due on this day, not the day before


@pytest.fixture
def stray(world):
    """Her identity, and nothing else: no referral, no case."""
    return f.SurvivorFactory(family_name="Straymarker")


def fresh(survivor) -> Survivor:
    return Survivor.objects.select_related("data_key").get(pk=survivor.pk)


def test_the_rule_dates_from_creation_or_the_latest_correction():
    schedule = rules.Schedule()
    assert rules.unreferred_due(schedule, dt.date(2025, 3, 1), None) == dt.date(2026, 3, 1)
    assert rules.unreferred_due(schedule, dt.date(2025, 3, 1), dt.date(2025, 9, 9)) == dt.date(2026, 9, 9)
    assert ("no_referral", "1 years", rules.TRIGGERS[rules.UNREFERRED]) in schedule.describe()
    assert rules.current().unreferred_record_years == 1  # the documented default (settings.RETENTION_SCHEDULE)


def test_a_dry_run_lists_her_a_year_after_her_record_was_created_and_not_a_day_before(world, stray):
    early = services.retention_run(apply=False, as_of=A_YEAR_ON - dt.timedelta(days=1))
    assert early.counts == {}
    report = services.retention_run(apply=False, as_of=A_YEAR_ON)
    assert report.counts == {"no_referral": 1, "due": 1}
    assert fresh(stray).identity.family_name == "Straymarker"


def test_applying_shreds_her(world, stray):
    report = services.retention_run(apply=True, as_of=A_YEAR_ON)
    assert report.counts == {"no_referral": 1, "due": 1, "erased": 1}
    survivor = fresh(stray)
    assert survivor.is_erased and survivor.identity is None
    assert (survivor.email_lookup, survivor.phone_lookup, survivor.name_dob_lookup) == ("", "", "")
    # The world's women, each with a referral, are untouched by this rule.
    assert all(fresh(r.survivor).identity is not None for r in world.referrals.values())


def test_a_legal_hold_stops_it(world, stray):
    hold = services.legal_hold_place(actor=world.users["hilda"], survivor=stray, reason="Coroner's inquest pending")
    assert services.retention_run(apply=True, as_of=A_YEAR_ON).counts == {"held": 1, "erased": 0}
    assert fresh(stray).identity.family_name == "Straymarker"
    services.legal_hold_lift(actor=world.users["hilda"], hold=hold, reason="The inquest has concluded")
    assert services.retention_run(apply=True, as_of=A_YEAR_ON).counts["erased"] == 1


def test_a_correction_of_her_details_moves_the_date(world, stray):
    Survivor.objects.filter(pk=stray.pk).update(created_at=timezone.now() - dt.timedelta(days=800))
    assert services.retention_run(apply=False, as_of=TODAY).counts == {"no_referral": 1, "due": 1}
    people_services.survivor_rectify(
        actor=world.users["hilda"], survivor=fresh(stray), monitoring={"religion": "no_religion"}, reason="She asked"
    )
    assert services.retention_run(apply=False, as_of=TODAY).counts == {}
    assert services.retention_run(apply=False, as_of=A_YEAR_ON).counts == {"no_referral": 1, "due": 1}


def test_a_referral_takes_her_out_of_this_rule(world, stray):
    f.ReferralFactory(survivor=stray)
    assert services.retention_run(apply=False, as_of=A_YEAR_ON).counts == {}
