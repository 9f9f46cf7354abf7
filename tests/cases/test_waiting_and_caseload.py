"""The waiting list's waits, caseloads per caseworker, allocation and transfers kept as history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from carehub.accounts import policy
from carehub.cases import selectors, services
from carehub.cases.models import Allocation, CaseStatus
from carehub.cases.services import CaseError
from carehub.core.public_ids import display
from tests.cases.helpers import open_case, waiting_case
from tests.factories import CaseFactory


def test_waits_are_days_since_acceptance_with_the_median_per_service(world, client_for):
    for days in (3, 10, 20):
        waiting_case(world, days_ago=days)
    waiting_case(world, "refuge", days_ago=7)
    waiting_case(world, "sistah", days_ago=99)  # another organisation's: not on Quaymarsh's list

    summaries = {s.service_name: s for s in selectors.wait_summaries(user=world.users["amara"])}
    assert set(summaries) == {"Quaymarsh IDVA", "Quaymarsh Refuge"}
    idva = summaries["Quaymarsh IDVA"]
    assert (idva.waiting, idva.median_days, idva.longest_days) == (3, 10, 20)
    assert summaries["Quaymarsh Refuge"].median_days == 7

    page = client_for("amara").get(reverse("cases:waiting")).text
    for shown in ("3 days", "10 days", "20 days", "7 days"):
        assert shown in page
    assert "99 days" not in page
    assert page.index("20 days</td>") < page.index("3 days</td>")  # longest waiting first


def test_an_even_number_waiting_has_the_middle_two_averaged(world):
    for days in (2, 5):
        waiting_case(world, days_ago=days)
    [summary] = selectors.wait_summaries(user=world.users["amara"])
    assert summary.median_days == 3.5


def test_an_independent_adviser_sees_the_waiting_list_of_her_own_service_only(world, client_for):
    waiting_case(world, "ias", days_ago=4, sealed=True)
    waiting_case(world, days_ago=6)
    [summary] = selectors.wait_summaries(user=world.users["ines"])
    assert (summary.service_name, summary.longest_days) == ("Independent Advisory", 4)
    page = client_for("ines").get(reverse("cases:waiting")).text
    assert "4 days" in page and "Allocate" not in page  # allocation is for managers


def test_caseloads_count_each_caseworkers_open_cases(world, client_for):
    open_case(world, "alice")
    open_case(world, "alice")
    amirs = open_case(world, "amir")
    services.case_close(
        actor=world.users["amara"],
        case=open_case(world, "amir"),
        expected_version=2,
        reason="completed",
        measures=services.Measures(not_answered="declined"),
    )
    waiting_case(world)

    loads = {c.membership.user.username: c.open_cases for c in selectors.caseloads(user=world.users["amara"])}
    assert loads == {"alice": 3, "amir": 1}  # alice also holds the world's Quaymarsh case
    assert selectors.caseloads(user=world.users["alice"]) == []

    page = client_for("amara").get(reverse("cases:caseload")).text
    assert "Alice" in page and "Amir" in page and "Bola" not in page
    theirs = client_for("amara").get(reverse("cases:caseworker_caseload", kwargs={"user_id": world.users["amir"].pk}))
    assert f"Case {display(amirs.public_id)}" in theirs.text and "1 open case." in theirs.text
    other_org = reverse("cases:caseworker_caseload", kwargs={"user_id": world.users["bola"].pk})
    assert client_for("amara").get(other_org).status_code == 404

    own = client_for("amir").get(reverse("cases:caseload")).text
    assert f"Case {display(amirs.public_id)}" in own and f"Case {display(world.cases['solace'].public_id)}" not in own


def test_allocation_opens_the_case_and_only_goes_to_a_caseworker_of_the_same_organisation(world):
    case = waiting_case(world)
    with pytest.raises(CaseError, match="caseworker of this service"):
        services.case_allocate(
            actor=world.users["amara"], case=case, caseworker=world.users["bola"], expected_version=case.version
        )
    with pytest.raises(CaseError, match="not one you can work on"):
        services.case_allocate(
            actor=world.users["alice"], case=case, caseworker=world.users["alice"], expected_version=case.version
        )
    sealed = waiting_case(world, "ias", sealed=True)
    with pytest.raises(CaseError, match="Only a manager"):  # an adviser sees her service's cases but does not allocate
        services.case_allocate(
            actor=world.users["ines"], case=sealed, caseworker=world.users["ines"], expected_version=sealed.version
        )
    services.case_allocate(
        actor=world.users["amara"], case=case, caseworker=world.users["amir"], expected_version=case.version
    )
    case.refresh_from_db()
    assert (case.status, case.caseworker.username, case.version) == (CaseStatus.OPEN, "amir", 2)
    assert case in policy.cases_visible_to(world.users["amir"])


def test_transfers_are_kept_as_history_and_move_who_can_see_the_case(world, client_for):
    case = open_case(world, "alice")
    amara = client_for("amara")
    url = reverse("cases:transfer", kwargs={"public_id": case.public_id})
    assert (
        amara.post(url, {"version": 2, "caseworker": world.users["amir"].pk, "reason": "workload"}).status_code == 302
    )
    assert (
        amara.post(url, {"version": 3, "caseworker": world.users["alice"].pk, "reason": "absence"}).status_code == 302
    )

    history = list(
        Allocation.objects.filter(case=case).values_list(
            "from_caseworker__username", "to_caseworker__username", "reason"
        )
    )
    assert history == [(None, "alice", ""), ("alice", "amir", "workload"), ("amir", "alice", "absence")]
    page = amara.get(reverse("cases:detail", kwargs={"public_id": case.public_id})).text
    assert "Transferred from Alice to Amir" in page and "Caseworker absent or on leave" in page

    amara.post(url, {"version": 4, "caseworker": world.users["amir"].pk, "reason": "left"})
    assert client_for("alice").get(reverse("cases:detail", kwargs={"public_id": case.public_id})).status_code == 404
    assert client_for("amir").get(reverse("cases:detail", kwargs={"public_id": case.public_id})).status_code == 200


def test_a_manager_elsewhere_cannot_transfer_a_case_she_only_holds_as_a_caseworker(world, client_for):
    """Holding the manager role somewhere is not enough: it must be held where the case is."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.users["alice"], organisation=world.orgs["sistah"], role="service_manager")
    case = world.cases["solace"]
    url = reverse("cases:transfer", kwargs={"public_id": case.public_id})
    alice = client_for("alice")
    assert alice.get(url).status_code == 404
    assert (
        alice.post(url, {"version": case.version, "caseworker": world.users["amir"].pk, "reason": "other"}).status_code
        == 404
    )
    with pytest.raises(CaseError):
        services.case_transfer(
            actor=world.users["alice"],
            case=case,
            caseworker=world.users["amir"],
            expected_version=case.version,
            reason="other",
        )
    assert Allocation.objects.filter(case=case).count() == 0


def test_a_waiting_case_closed_on_the_list_leaves_it(world):
    case = waiting_case(world, days_ago=5)
    services.case_close(
        actor=world.users["amara"],
        case=case,
        expected_version=case.version,
        reason="survivor_choice",
        measures=services.Measures(not_answered="unreachable"),
    )
    assert selectors.wait_summaries(user=world.users["amara"]) == []
    assert CaseFactory._meta.model.objects.get(pk=case.pk).opened_at is None
