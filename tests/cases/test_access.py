"""Every case page answers 404 to anyone outside the case's scope, for reading and for writing alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from carehub.cases import services
from carehub.cases.models import Allocation, Case, Contact, Document, Goal, OnwardReferral, OutcomeMeasure, SafetyPlan
from tests.cases.helpers import measures_post

CASE_PAGES = (
    "detail",
    "allocate",
    "transfer",
    "goal_add",
    "goal_update",
    "safety_plan",
    "contact_add",
    "document_add",
    "outcomes_start",
    "close",
    "refer_on",
)
# A caseworker of another service, another caseworker of the same service, police, a commissioner, and others
# whose roles never reach case content.
OUTSIDERS = ("bola", "bea", "amir", "percy", "pete", "gina", "cora", "hana", "otto", "adam", "ines", "ivan")
# Whatever a page might accept, so a refusal cannot be put down to an invalid form.
EVERYTHING = {
    "version": 1,
    "revision": 0,
    "caseworker": 0,
    "reason": "completed",
    "text": "a goal",
    "status": "achieved",
    "plan": "a plan",
    "kind": "call",
    "on_day": 1,
    "on_month": 1,
    "on_year": 2026,
    "minutes": 5,
    "title": "a title",
    "held_at": "somewhere",
    "needs": ["counselling"],
    "consent": "on",
    **measures_post(),
}


@pytest.fixture
def case(world) -> Case:
    case = world.cases["solace"]
    services.goal_create(actor=world.users["alice"], case=case, text="A goal of hers")
    return case


def urls_for(case: Case) -> list[str]:
    goal = case.goals.first()
    return [
        reverse(
            f"cases:{name}",
            kwargs={"public_id": case.public_id, **({"goal_id": goal.public_id} if name == "goal_update" else {})},
        )
        for name in CASE_PAGES
    ]


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    counts = tuple(
        model.objects.count()
        for model in (Allocation, Goal, SafetyPlan, Contact, Document, OutcomeMeasure, OnwardReferral)
    )
    return case.status, case.version, case.caseworker_id, counts


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_on_every_case_url_and_change_nothing(world, client_for, case, persona):
    client = client_for(persona)
    before = snapshot(case)
    for url in urls_for(case):
        assert client.get(url).status_code == 404, (persona, url)
        assert client.post(url, EVERYTHING).status_code == 404, (persona, url)
    assert snapshot(case) == before


def test_the_caseworker_gets_404_on_the_managers_pages(world, client_for, case):
    client = client_for("alice")
    for name in ("allocate", "transfer"):
        url = reverse(f"cases:{name}", kwargs={"public_id": case.public_id})
        assert client.get(url).status_code == 404
        assert client.post(url, EVERYTHING).status_code == 404


def test_the_caseworker_and_her_manager_reach_every_page(world, client_for, case):
    for persona, pages in (("alice", set(CASE_PAGES) - {"allocate", "transfer"}), ("amara", set(CASE_PAGES))):
        client = client_for(persona)
        for url, name in zip(urls_for(case), CASE_PAGES, strict=True):
            if name in pages:
                assert client.get(url).status_code in {200, 302}, (persona, url)


def test_a_goal_of_another_case_is_not_found_through_this_one(world, client_for, case):
    other = world.cases["sistah"]
    theirs = services.goal_create(actor=world.users["bola"], case=other, text="Someone else's goal")
    url = reverse("cases:goal_update", kwargs={"public_id": case.public_id, "goal_id": theirs.public_id})
    assert client_for("amara").get(url).status_code == 404
    assert client_for("amara").post(url, {"status": "achieved"}).status_code == 404


@pytest.mark.parametrize("persona", ("percy", "cora", "alice", "hana"))
def test_the_waiting_list_is_for_managers_and_advisers(world, client_for, persona):
    assert client_for(persona).get(reverse("cases:waiting")).status_code == 404


@pytest.mark.parametrize("persona", ("percy", "pete", "cora", "hana", "adam"))
def test_caseloads_are_for_case_workers_only(world, client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("cases:caseload")).status_code == 404
    worker = reverse("cases:caseworker_caseload", kwargs={"user_id": world.users["alice"].pk})
    assert client.get(worker).status_code == 404
