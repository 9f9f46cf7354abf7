"""The waiting list and a caseworker's caseload: highest risk first, then the longest waiting; filters and counts."""

from __future__ import annotations

from django.urls import reverse

from carehub.cases import selectors
from carehub.core.public_ids import display
from carehub.referrals.models import RiskLevel
from carehub.referrals.selectors import QueueFilters
from tests.cases.helpers import open_case, waiting_case


def test_a_high_risk_case_is_first_on_the_waiting_list(world, client_for):
    longest = waiting_case(world, days_ago=40, risk_level=RiskLevel.STANDARD)
    medium = waiting_case(world, days_ago=20, risk_level=RiskLevel.MEDIUM, borough="E09000012")
    high = waiting_case(world, days_ago=1, risk_level=RiskLevel.HIGH, needs=["idva"])
    amara = world.users["amara"]
    page = selectors.waiting_page(user=amara, filters=QueueFilters())
    assert page.rows == [high, medium, longest]
    assert list(selectors.waiting_list(user=amara)) == [high, medium, longest]
    html = client_for("amara").get(reverse("cases:waiting")).text
    shown = [html.index(f"Case {display(c.public_id)}") for c in (high, medium, longest)]
    assert shown == sorted(shown)

    assert selectors.waiting_page(user=amara, filters=QueueFilters(borough="E09000012")).rows == [medium]
    assert selectors.waiting_page(user=amara, filters=QueueFilters(need="idva")).rows == [high]
    counts = {
        x.name: {o.value: o.count for o in x.options}
        for x in selectors.waiting_filters(user=amara, filters=QueueFilters(risk="high"))
    }
    assert counts["risk"]["high"] == 1 and counts["risk"]["standard"] == 1 and counts["risk"]["medium"] == 1
    assert counts["need"]["idva"] == 1 and counts["borough"]["E09000012"] == 0
    filtered = client_for("amara").get(reverse("cases:waiting"), {"risk": "medium"}).text
    assert "1 waiting that match the filters" in filtered and display(medium.public_id) in filtered
    assert display(longest.public_id) not in filtered


def test_a_high_risk_case_is_first_in_a_caseload(world, client_for):
    first = open_case(world, "amir")
    high = open_case(world, "amir")
    high.referral.risk_level = RiskLevel.HIGH
    high.referral.save()
    amir = world.users["amir"]
    assert list(selectors.own_caseload(user=amir)) == [high, first]
    found = selectors.caseload_page(user=world.users["amara"], caseworker_id=amir.pk, filters=QueueFilters())
    worker, page, counts = found
    assert worker == amir and page.rows == [high, first]
    assert {o.value: o.count for o in counts[0].options}["high"] == 1
    html = client_for("amara").get(reverse("cases:caseworker_caseload", kwargs={"user_id": amir.pk})).text
    assert html.index(display(high.public_id)) < html.index(display(first.public_id))
