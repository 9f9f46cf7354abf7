"""The case services' refusals: each one says what is wrong, and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from carehub.cases import services
from carehub.cases.models import Contact, Goal, MeasureStage, OutcomeMeasure
from carehub.cases.services import CaseError, Measures
from tests.cases.helpers import measures


@pytest.fixture
def case(world):
    return world.cases["solace"]


def test_a_closed_case_takes_no_more_work(world, case):
    alice = world.users["alice"]
    goal = services.goal_create(actor=alice, case=case, text="Open a bank account of her own")
    # The goal is not started, so its manager confirms the closure (cases.closure).
    services.case_close(
        actor=world.users["amara"],
        case=case,
        expected_version=1,
        reason="completed",
        measures=measures(),
        manager_reason="She has moved on",
    )
    with pytest.raises(CaseError, match="closed"):
        services.goal_update(actor=alice, goal=goal, status="achieved")
    with pytest.raises(CaseError, match="closed"):
        services.contact_create(actor=alice, case=case, kind="call", on=timezone.localdate(), minutes=5)
    assert Goal.objects.get(pk=goal.pk).status == "not_started"
    assert not Contact.objects.exists()


def test_contacts_are_checked_before_anything_is_saved(world, case):
    alice = world.users["alice"]
    with pytest.raises(CaseError) as error:
        services.contact_create(actor=alice, case=case, kind="telepathy", on=timezone.localdate(), minutes=5)
    assert error.value.field == "kind"
    with pytest.raises(CaseError, match="today or in the past"):
        services.contact_create(
            actor=alice, case=case, kind="call", on=timezone.localdate() + dt.timedelta(days=1), minutes=5
        )
    with pytest.raises(CaseError, match="more than a day"):
        services.contact_create(actor=alice, case=case, kind="call", on=timezone.localdate(), minutes=2000)
    assert not Contact.objects.exists()


def test_closure_needs_every_closing_measure_or_a_reason_there_are_none(world, case):
    alice = world.users["alice"]
    with pytest.raises(CaseError, match="closing outcome measures"):
        services.case_close(actor=alice, case=case, expected_version=1, reason="completed", measures=None)
    with pytest.raises(CaseError, match="score from 1 to 10") as error:
        services.case_close(
            actor=alice, case=case, expected_version=1, reason="completed", measures=measures(wellbeing=None)
        )
    assert error.value.field == "wellbeing"
    with pytest.raises(CaseError):
        services.case_close(
            actor=alice, case=case, expected_version=1, reason="completed", measures=measures(feels_safe=11)
        )
    with pytest.raises(CaseError, match="Leave the answers blank"):
        services.case_close(
            actor=alice,
            case=case,
            expected_version=1,
            reason="completed",
            measures=Measures(not_answered="declined", feels_safe=4),
        )
    case.refresh_from_db()
    assert (case.status, case.version) == ("open", 1)
    assert not OutcomeMeasure.objects.exists()

    services.case_close(
        actor=alice, case=case, expected_version=1, reason="survivor_choice", measures=Measures(not_answered="declined")
    )
    closing = OutcomeMeasure.objects.get(case=case, stage=MeasureStage.CLOSURE)
    assert (closing.answered, closing.not_answered, closing.feels_safe) == (False, "declined", None)


def test_starting_measures_are_recorded_once(world, case):
    alice = world.users["alice"]
    services.outcome_record_start(actor=alice, case=case, measures=measures(abuse={"stalking": "worse"}))
    with pytest.raises(CaseError, match="already recorded"):
        services.outcome_record_start(actor=alice, case=case, measures=measures())
    assert OutcomeMeasure.objects.filter(case=case).count() == 1


def test_abuse_answers_are_one_of_the_four_changes(world):
    with pytest.raises(CaseError, match="stopped, reduced, unchanged or worse"):
        services.outcome_record_start(
            actor=world.users["bola"], case=world.cases["sistah"], measures=measures(abuse={"stalking": "gone"})
        )
    assert not OutcomeMeasure.objects.exists()


def test_a_goal_and_a_document_need_their_words(world, case):
    with pytest.raises(CaseError) as error:
        services.goal_create(actor=world.users["alice"], case=case, text="   ")
    assert error.value.field == "text"
    with pytest.raises(CaseError) as error:
        services.document_create(actor=world.users["alice"], case=case, title="Passport", kind="identity", held_at="")
    assert error.value.field == "held_at"
