"""The commissioning rows on a small hand-made history: lengths, contracts, repeats within 3/6/12 months, censoring."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carehub.cases.commissioning import COLUMNS, closed_case_rows
from carehub.cases.models import CaseStatus, MeasureStage, OnwardReferral, OutcomeMeasure
from carehub.core.dates import add_months
from carehub.people.models import Survivor
from carehub.repeats.models import Outcome
from tests.factories import CaseFactory, ContractFactory, ReferralFactory
from tests.repeats.helpers import AMINA, AMINA_MISSPELT, closed_case, confirm, intake

T0 = timezone.make_aware(dt.datetime(2026, 1, 15, 12))
END = timezone.make_aware(dt.datetime(2027, 3, 1, 12))
DAY = dt.timedelta(days=1)


def closed(world, closed_at, *, service="solace", weeks=10, survivor=None, sealed=False, reason="completed"):
    opened = closed_at - dt.timedelta(weeks=weeks) if weeks is not None else None
    accepted = (opened or closed_at) - 4 * DAY
    extra = {"survivor": survivor} if survivor else {}
    referral = ReferralFactory(received_at=accepted - DAY, status="closed", sealed=sealed, **extra)
    return CaseFactory(
        referral=referral,
        service=world.services[service],
        status=CaseStatus.CLOSED,
        accepted_at=accepted,
        opened_at=opened,
        closed_at=closed_at,
        closure_reason=reason,
    )


def later_referral(case, at):
    return ReferralFactory(survivor=case.survivor, received_at=at)


def rows_by_case(**kwargs) -> dict:
    return {row["case_id"]: row for row in closed_case_rows(end_of_data=END, **kwargs)}


def repeats(row) -> tuple:
    return row["repeat_within_3_months"], row["repeat_within_6_months"], row["repeat_within_12_months"]


def test_repeat_referrals_within_3_6_and_12_months_with_censoring(world):
    soon = closed(world, T0)
    later_referral(soon, T0 + 60 * DAY)
    later_referral(soon, T0 + 300 * DAY)  # only the first one after closure counts
    mid = closed(world, T0)
    later_referral(mid, T0 + 200 * DAY)
    never = closed(world, T0)
    recent = closed(world, END - 50 * DAY)
    four_months = closed(world, END - 120 * DAY)
    after_end = closed(world, T0)
    later_referral(after_end, END + 10 * DAY)  # beyond the end of data: not seen yet
    still_open = CaseFactory(service=world.services["solace"], status=CaseStatus.OPEN)

    rows = rows_by_case()
    assert repeats(rows[soon.pk]) == (True, True, True)
    assert (rows[soon.pk]["rereferred"], rows[soon.pk]["days_to_rereferral"]) == (True, 60)
    assert repeats(rows[mid.pk]) == (False, False, True)
    assert repeats(rows[never.pk]) == (False, False, False)
    assert rows[never.pk]["rereferred"] is False and rows[never.pk]["days_to_rereferral"] is None
    assert repeats(rows[recent.pk]) == (None, None, None)  # censored: fewer than 3 months observed
    assert rows[recent.pk]["days_observed"] == 50
    assert repeats(rows[four_months.pk]) == (False, None, None)
    assert repeats(rows[after_end.pk]) == (False, False, False) and rows[after_end.pk]["rereferred"] is False
    assert still_open.pk not in rows


def test_an_onward_referral_is_not_a_repeat_and_marks_both_ends_of_the_journey(world):
    first = closed(world, T0, reason="transferred")
    onward = later_referral(first, T0 + 10 * DAY)
    OnwardReferral.objects.create(from_case=first, referral=onward, created_at=onward.received_at)
    second = CaseFactory(
        referral=onward,
        service=world.services["sistah"],
        status=CaseStatus.CLOSED,
        accepted_at=T0 + 12 * DAY,
        opened_at=T0 + 14 * DAY,
        closed_at=T0 + 100 * DAY,
        closure_reason="completed",
    )
    rows = rows_by_case()
    assert rows[first.pk]["rereferred"] is False and repeats(rows[first.pk]) == (False, False, False)
    assert (rows[first.pk]["referred_on"], rows[first.pk]["continued_from_earlier_case"]) == (True, False)
    assert (rows[second.pk]["referred_on"], rows[second.pk]["continued_from_earlier_case"]) == (False, True)
    assert rows[second.pk]["survivor_id"] == rows[first.pk]["survivor_id"]


# --- coming back on another survivor record, confirmed by a hub worker to be her -----------------------------------


def rows_now() -> dict:
    return {row["case_id"]: row for row in closed_case_rows()}


@pytest.mark.parametrize(("outcome", "expected"), [(Outcome.CONFIRMED, (True, True, True)), (Outcome.REJECTED, None)])
def test_a_referral_on_a_record_confirmed_to_be_her_is_a_repeat(world, outcome, expected):
    earlier = intake(AMINA, days_ago=520)
    case = closed_case(world, earlier, closed_days_ago=400)
    new = intake(AMINA_MISSPELT, days_ago=350)  # a new survivor record, 50 days after her case closed
    confirm(world, new, earlier, outcome)
    row = rows_now()[case.pk]
    if outcome == Outcome.CONFIRMED:
        assert repeats(row) == expected and (row["rereferred"], row["days_to_rereferral"]) == (True, 50)
        assert (row["survivor_id"], row["person_id"]) == (earlier.survivor_id, earlier.survivor_id)
    else:  # not the same person: her case is followed by nothing
        assert repeats(row) == (False, False, False) and row["rereferred"] is False
        assert row["person_id"] == row["survivor_id"] == earlier.survivor_id


def test_a_chain_of_links_counts_the_referral_at_its_far_end(world):
    a = intake(AMINA_MISSPELT, days_ago=520)
    case = closed_case(world, a, closed_days_ago=400)
    b = intake(AMINA, days_ago=600)  # before her case closed: not a repeat of it
    c = intake(AMINA_MISSPELT, days_ago=330)  # 70 days after closure, linked to her case's record only through b
    confirm(world, a, b)
    confirm(world, c, b)
    rows = rows_now()
    assert repeats(rows[case.pk]) == (True, True, True) and rows[case.pk]["days_to_rereferral"] == 70
    assert rows[case.pk]["person_id"] == min(a.survivor_id, b.survivor_id, c.survivor_id)


def test_a_case_on_the_later_record_counts_a_referral_on_the_earlier_one(world):
    earlier = intake(AMINA, days_ago=700)
    new = intake(AMINA_MISSPELT, days_ago=520)
    case = closed_case(world, new, closed_days_ago=400)
    confirm(world, new, earlier)
    ReferralFactory(survivor=earlier.survivor, received_at=timezone.now() - dt.timedelta(days=250))
    row = rows_now()[case.pk]
    assert repeats(row) == (False, True, True) and row["days_to_rereferral"] == 150
    assert (row["survivor_id"], row["person_id"]) == (new.survivor_id, earlier.survivor_id)


def test_an_onward_referral_on_a_linked_record_is_still_not_a_repeat(world):
    earlier = intake(AMINA, days_ago=520)
    case = closed_case(world, earlier, closed_days_ago=400)
    second = intake(AMINA_MISSPELT, days_ago=420)
    confirm(world, second, earlier)
    support = CaseFactory(referral=second, service=world.services["sistah"])
    onward = ReferralFactory(survivor=second.survivor, received_at=timezone.now() - dt.timedelta(days=380))
    OnwardReferral.objects.create(from_case=support, referral=onward, created_at=onward.received_at)
    row = rows_now()[case.pk]
    assert repeats(row) == (False, False, False) and row["rereferred"] is False


def test_length_how_it_closed_service_type_and_the_contract_in_force(world):
    ContractFactory(
        service=world.services["refuge"], start=dt.date(2024, 4, 1), end=dt.date(2026, 3, 31), support_weeks=26
    )
    ContractFactory(
        service=world.services["refuge"], start=dt.date(2026, 4, 1), end=dt.date(2029, 3, 31), support_weeks=52
    )
    idva = closed(world, T0 + 70 * DAY, weeks=10)
    old_contract = closed(world, dt.datetime(2026, 4, 20, 12, tzinfo=dt.UTC), service="refuge", weeks=12)
    new_contract = closed(world, dt.datetime(2026, 9, 1, 12, tzinfo=dt.UTC), service="refuge", weeks=12)
    uncommissioned = closed(world, T0, service="sistah", reason="disengaged")
    never_opened = closed(world, T0, weeks=None, reason="survivor_choice")

    rows = rows_by_case()
    assert set(rows[idva.pk]) == set(COLUMNS)
    assert {k: rows[idva.pk][k] for k in ("support_days", "support_weeks", "waited_days", "closed_month")} == {
        "support_days": 70,
        "support_weeks": 10.0,
        "waited_days": 4,
        "closed_month": "2026-03",
    }
    assert (rows[idva.pk]["service_type"], rows[idva.pk]["commissioned_weeks"]) == ("idva", 12)
    assert (rows[old_contract.pk]["service_type"], rows[old_contract.pk]["commissioned_weeks"]) == ("refuge", 26)
    assert rows[new_contract.pk]["commissioned_weeks"] == 52
    assert (rows[uncommissioned.pk]["closure_reason"], rows[uncommissioned.pk]["commissioned_weeks"]) == (
        "disengaged",
        None,
    )
    assert rows[never_opened.pk]["support_weeks"] is None and rows[never_opened.pk]["waited_days"] is None


def test_outcome_change_is_closing_minus_starting(world):
    both, declined, missing = closed(world, T0), closed(world, T0), closed(world, T0)
    scores = {"feels_safe": 3, "wellbeing": 4, "quality_of_life": 5, "confidence_help": 2}
    later = {"feels_safe": 8, "wellbeing": 4, "quality_of_life": 3, "confidence_help": 9}
    for case, stage, values in ((both, "start", scores), (both, "closure", later), (declined, "start", scores)):
        OutcomeMeasure.objects.create(case=case, stage=stage, recorded_at=T0, **values)
    OutcomeMeasure.objects.create(case=declined, stage=MeasureStage.CLOSURE, not_answered="declined", recorded_at=T0)

    rows = rows_by_case()
    assert {k: v for k, v in rows[both.pk].items() if k.startswith("change_")} == {
        "change_feels_safe": 5,
        "change_wellbeing": 0,
        "change_quality_of_life": -2,
        "change_confidence_help": 7,
    }
    assert rows[both.pk]["closing_measures"] == "answered"
    assert (rows[declined.pk]["closing_measures"], rows[declined.pk]["change_feels_safe"]) == ("declined", None)
    assert rows[missing.pk]["closing_measures"] == "missing"


def test_sealed_cases_are_counted_but_cannot_be_joined_to_anything(world):
    sealed = closed(world, T0, service="ias", sealed=True)
    later_referral(sealed, T0 + 30 * DAY)
    [row] = [r for r in closed_case_rows(end_of_data=END) if r["sealed"]]
    assert (row["case_id"], row["survivor_id"]) == (None, None)
    assert (row["service_type"], row["repeat_within_3_months"]) == ("independent_advisory", True)
    assert set(row) == set(COLUMNS)  # no more detail than any other row
    assert sealed.pk not in rows_by_case()


def test_rows_hold_no_identity(world):
    case = closed(world, T0)
    identity = case.survivor.identity
    text = str(list(closed_case_rows(end_of_data=END)))
    for value in (identity.family_name, identity.given_name, identity.email, identity.phone, case.referral.reference):
        assert value not in text


def test_the_query_count_does_not_grow_with_the_number_of_cases(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = list(closed_case_rows(end_of_data=END, chunk_size=7))
        return len(captured.captured_queries), len(rows)

    for _ in range(3):
        later_referral(closed(world, T0), T0 + 40 * DAY)
    few, n_few = queries()
    for i in range(30):
        case = closed(world, T0 - i * DAY, service="refuge" if i % 2 else "solace")
        later_referral(case, T0 + i * DAY)
        OutcomeMeasure.objects.create(case=case, stage="closure", not_answered="declined", recorded_at=T0)
    many, n_many = queries()
    # Join some of them into people, so rows take the linked branch as well: still the one query.
    survivors = list(Survivor.objects.filter(cases__isnull=False).order_by("pk").values_list("pk", flat=True))
    for pair in (survivors[0:3], survivors[5:7], survivors[10:12]):
        Survivor.objects.filter(pk__in=pair).update(person=pair[0])
    linked, n_linked = queries()
    assert (n_few, n_many, n_linked) == (3, 33, 33)
    assert few == many == linked == 1


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ((2026, 1, 31, 12), 1, (2026, 2, 28, 12)),
        ((2026, 11, 30, 9), 3, (2027, 2, 28, 9)),
        ((2026, 3, 15, 23), 12, (2027, 3, 15, 23)),
    ],
)
def test_months_are_calendar_months_in_london(start, months, expected):
    moment = timezone.make_aware(dt.datetime(*start))
    assert timezone.localtime(add_months(moment, months)).timetuple()[:4] == expected
