"""Two people acting on the same case at once: the second is refused and nothing of it is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from carehub.cases import services
from carehub.cases.models import Allocation, Case, CaseStatus, MeasureStage, OutcomeMeasure, SafetyPlan
from carehub.cases.services import ConcurrentChange
from tests.cases.helpers import measures, waiting_case
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def second_manager(world):
    user = UserFactory(username="ama")
    MembershipFactory(user=user, organisation=world.orgs["solace"], role="service_manager")
    return user


def test_two_managers_allocating_the_same_case_cannot_both_succeed(world, second_manager):
    case = waiting_case(world)
    seen_by_ama = Case.objects.get(pk=case.pk)
    services.case_allocate(actor=world.users["amara"], case=case, caseworker=world.users["alice"], expected_version=1)
    with pytest.raises(ConcurrentChange, match="Someone else changed this case"):
        services.case_allocate(
            actor=second_manager, case=seen_by_ama, caseworker=world.users["amir"], expected_version=1
        )
    case.refresh_from_db()
    assert (case.caseworker.username, case.version) == ("alice", 2)
    assert Allocation.objects.filter(case=case).count() == 1


def test_a_stale_allocation_page_is_refused_with_a_clear_message(world, client_for, second_manager):
    case = waiting_case(world)
    url = reverse("cases:allocate", kwargs={"public_id": case.public_id})
    services.case_allocate(actor=second_manager, case=case, caseworker=world.users["amir"], expected_version=1)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.WAITING)  # as if her page loaded before that
    response = client_for("amara").post(url, {"version": 1, "caseworker": world.users["alice"].pk})
    assert response.status_code == 400
    assert "Someone else changed this case" in response.text
    assert Case.objects.get(pk=case.pk).caseworker.username == "amir"


def test_closing_a_case_someone_has_just_closed_is_refused(world):
    case = world.cases["solace"]
    stale = Case.objects.get(pk=case.pk)
    services.case_close(
        actor=world.users["alice"], case=case, expected_version=1, reason="completed", measures=measures()
    )
    with pytest.raises(ConcurrentChange):
        services.case_close(
            actor=world.users["amara"], case=stale, expected_version=1, reason="other", measures=measures()
        )
    case.refresh_from_db()
    assert case.closure_reason == "completed"
    assert OutcomeMeasure.objects.filter(case=case, stage=MeasureStage.CLOSURE).count() == 1


def test_a_transfer_based_on_a_stale_page_is_refused(world):
    case = world.cases["solace"]
    services.case_close(
        actor=world.users["alice"], case=case, expected_version=1, reason="completed", measures=measures()
    )
    with pytest.raises(services.CaseError):
        services.case_transfer(
            actor=world.users["amara"], case=case, caseworker=world.users["amir"], expected_version=1, reason="left"
        )
    assert not Allocation.objects.filter(case=case).exists()


def test_two_people_editing_the_safety_plan_do_not_overwrite_each_other(world, client_for):
    case = world.cases["solace"]
    services.safety_plan_update(actor=world.users["alice"], case=case, expected_revision=0, plan="First version")
    with pytest.raises(ConcurrentChange, match="updated the safety plan"):
        services.safety_plan_update(actor=world.users["amara"], case=case, expected_revision=0, plan="Written blind")
    response = client_for("amara").post(
        reverse("cases:safety_plan", kwargs={"public_id": case.public_id}),
        {"revision": 0, "plan": "Also written blind"},
    )
    assert response.status_code == 400 and "updated the safety plan" in response.text
    assert list(SafetyPlan.objects.filter(case=case).values_list("revision", flat=True)) == [1]
