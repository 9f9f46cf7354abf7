"""The schedule's rules on their own: each trigger date, the children's ages as written, and the settings check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from carehub.retention import schedule as rules

SCHEDULE = rules.Schedule()
REFERRED = dt.date(2020, 3, 10)


@pytest.mark.parametrize(
    ("text", "count", "ages", "complete"),
    [
        ("3 and 7", 2, (3.0, 7.0), True),
        ("3, 7", None, (3.0, 7.0), True),
        ("6 months and 4", 2, (0.5, 4.0), True),
        ("six weeks", 1, (6 / 52,), True),
        ("aged 2 yrs", 1, (2.0,), True),
        ("unborn", 1, (-1.0,), True),
        ("4 and pregnant", 2, (4.0, -1.0), True),
        ("3", 2, (3.0,), False),  # fewer ages than children
        ("teenagers", 2, (), False),
        ("3-7", 2, (3.0, 7.0), False),  # a range: not read as two ages
        ("", 2, (), False),
        ("twins", None, (), False),
    ],
)
def test_ages_are_read_conservatively(text, count, ages, complete):
    read = rules.read_ages(text, count)
    assert read.ages == pytest.approx(ages)
    assert read.complete is complete


def test_the_youngest_childs_25th_birthday_is_the_trigger():
    assert rules.children_due(SCHEDULE, REFERRED, "3 and 7", 2) == (dt.date(2042, 3, 10), rules.CHILDREN)
    # Six months old: rounded up to a whole year, so a fraction never shortens what is kept.
    assert rules.children_due(SCHEDULE, REFERRED, "6 months", 1) == (dt.date(2045, 3, 10), rules.CHILDREN)
    # Not yet born: counted as born a year after the referral.
    assert rules.children_due(SCHEDULE, REFERRED, "unborn", 1) == (dt.date(2046, 3, 10), rules.CHILDREN)


def test_ages_that_cannot_be_read_keep_the_records_25_years_or_longer():
    assert rules.children_due(SCHEDULE, REFERRED, "teenagers", 2) == (dt.date(2045, 3, 10), rules.CHILDREN_UNKNOWN)
    # One age read (a baby: 25 years), one missing: the later of the two dates.
    assert rules.children_due(SCHEDULE, REFERRED, "0", 2) == (dt.date(2045, 3, 10), rules.CHILDREN_UNKNOWN)
    assert rules.children_due(SCHEDULE, REFERRED, "unborn", 2) == (dt.date(2046, 3, 10), rules.CHILDREN_UNKNOWN)


def test_adult_records_fall_due_six_years_after_the_latest_closure():
    facts = rules.Facts(
        last_closed=dt.date(2021, 6, 30), last_received=dt.date(2020, 1, 5), last_marac=None, sealed=False
    )
    assert rules.due_date(SCHEDULE, facts) == (dt.date(2027, 6, 30), rules.ADULT)


def test_the_latest_rule_wins():
    facts = rules.Facts(
        last_closed=dt.date(2021, 6, 30),
        last_received=REFERRED,
        last_marac=None,
        sealed=False,
        children=((REFERRED, 1, "17"),),  # 25 in 2028, after the adult date
    )
    assert rules.due_date(SCHEDULE, facts) == (dt.date(2028, 3, 10), rules.CHILDREN)
    adult_later = rules.Facts(
        last_closed=dt.date(2021, 6, 30),
        last_received=REFERRED,
        last_marac=None,
        sealed=False,
        children=((REFERRED, 1, "24"),),
    )
    assert rules.due_date(SCHEDULE, adult_later) == (dt.date(2027, 6, 30), rules.ADULT)


def test_the_sealed_pathway_has_its_own_line():
    schedule = rules.Schedule(sealed_pathway_years=8)
    facts = rules.Facts(last_closed=dt.date(2021, 6, 30), last_received=REFERRED, last_marac=None, sealed=True)
    assert rules.due_date(schedule, facts) == (dt.date(2029, 6, 30), rules.SEALED)


def test_a_marac_referral_after_closure_moves_the_date():
    facts = rules.Facts(
        last_closed=dt.date(2021, 6, 30), last_received=REFERRED, last_marac=dt.date(2022, 1, 4), sealed=False
    )
    assert rules.due_date(SCHEDULE, facts) == (dt.date(2028, 1, 4), rules.ADULT)


def test_nothing_to_count_from_is_never_due():
    assert rules.due_date(SCHEDULE, rules.Facts(None, None, None, False)) == (None, "")


def test_29_february_falls_on_28_february():
    assert rules.years_after(dt.date(2024, 2, 29), 6) == dt.date(2030, 2, 28)


def test_the_defaults_are_those_documented(settings):
    assert rules.current() == rules.Schedule(
        adult_case_years=6, children_until_age=25, children_unknown_years=25, sealed_pathway_years=6,
        audit_event_years=30, unreferred_record_years=1,
    )  # fmt: skip


@pytest.mark.parametrize(
    "override",
    [
        {"adult_case_years": 0},
        {"adult_case_years": "6"},
        {"adult_years": 6},
        {"audit_event_years": 25},  # shorter than the children's rule: the trail must outlive the records
    ],
)
def test_a_bad_schedule_fails_loudly(settings, override):
    settings.RETENTION_SCHEDULE = {**settings.RETENTION_SCHEDULE, **override}
    with pytest.raises(ImproperlyConfigured):
        rules.current()


def test_an_organisation_sets_its_own(settings):
    settings.RETENTION_SCHEDULE = {**settings.RETENTION_SCHEDULE, "adult_case_years": 7}
    assert rules.current().adult_case_years == 7
