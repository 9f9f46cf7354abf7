"""The triage queue and a service's inbox: highest risk first, then the longest waiting; filters with counts; keyset
pages that hold every row exactly once, ties included."""

from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from carehub.referrals import selectors
from carehub.referrals.models import Offer, Referral, RiskLevel, Status
from carehub.referrals.selectors import QueueFilters, keyset_page
from tests import factories as f

NOW = timezone.make_aware(dt.datetime(2026, 11, 2, 9, 0))
HACKNEY = "E09000012"


def waiting(survivor, *, days: float, risk: str = RiskLevel.STANDARD, **facts) -> Referral:
    return f.ReferralFactory(
        survivor=survivor,
        status=facts.pop("status", Status.IN_TRIAGE),
        received_at=NOW - dt.timedelta(days=days),
        risk_level=risk,
        **facts,
    )


@pytest.fixture
def survivor(world):
    return world.referrals["triage"].survivor


def test_a_high_risk_referral_is_first_in_the_triage_queue_even_when_it_arrived_last(world, survivor, client_for):
    old = waiting(survivor, days=30, risk=RiskLevel.STANDARD)
    waiting(survivor, days=20, risk=RiskLevel.MEDIUM)
    high = waiting(survivor, days=0.1, risk=RiskLevel.HIGH, marac=True, dash_score=15)
    page = selectors.triage_page(user=world.users["hana"], filters=QueueFilters())
    assert page.rows[0] == high
    assert page.rows.index(old) > page.rows.index(high)
    html = client_for("hana").get(reverse("referrals:queue")).text
    assert html.index(high.reference) < html.index(old.reference)


def test_filters_narrow_the_queue_and_count_each_option(world, survivor, client_for):
    waiting(survivor, days=5, risk=RiskLevel.HIGH, borough=HACKNEY, needs=["idva", "refuge"])
    waiting(survivor, days=4, risk=RiskLevel.HIGH, needs=["isva"], wants_by_and_for="south_asian")
    waiting(survivor, days=3, risk=RiskLevel.MEDIUM, borough=HACKNEY, needs=["idva"], status=Status.RECEIVED)
    hana = world.users["hana"]

    def refs(**chosen) -> set[str]:
        rows = selectors.triage_page(user=hana, filters=QueueFilters(**chosen)).rows
        return {(r.risk_level, r.borough) for r in rows}

    assert refs(risk="high", borough=HACKNEY) == {("high", HACKNEY)}
    assert len(selectors.triage_page(user=hana, filters=QueueFilters(need="idva")).rows) == 2
    assert len(selectors.triage_page(user=hana, filters=QueueFilters(need="isva")).rows) == 1
    # "idva" never matches a code that merely contains it, and needs the quotes to match at all.
    assert len(selectors.triage_page(user=hana, filters=QueueFilters(need="refuge")).rows) == 1
    assert len(selectors.triage_page(user=hana, filters=QueueFilters(by_and_for="any")).rows) == 1
    assert len(selectors.triage_page(user=hana, filters=QueueFilters(by_and_for="south_asian")).rows) == 1
    assert len(selectors.triage_page(user=hana, filters=QueueFilters(status="received")).rows) == 1

    counts = {
        flt.name: {o.value: o.count for o in flt.options}
        for flt in selectors.triage_filters(user=hana, filters=QueueFilters(risk="high"))
    }
    # The risk counts ignore the risk filter itself (so she can see what choosing "medium" would show) ...
    assert counts["risk"]["high"] == 2 and counts["risk"]["medium"] == 1
    # ... the others apply it: of the high-risk referrals, one in Hackney, one wanting IDVA.
    assert counts["borough"][HACKNEY] == 1
    assert counts["need"]["idva"] == 1 and counts["need"]["isva"] == 1
    assert counts["by_and_for"]["any"] == 1
    assert counts["status"] == {"received": 0, "in_triage": 2}

    html = client_for("hana").get(reverse("referrals:queue"), {"risk": "high", "borough": HACKNEY}).text
    assert "1 waiting that match the filters" in html
    assert '<option value="high" selected>High (1)</option>' in html


def test_unknown_filter_values_are_ignored_not_queried():
    chosen = QueueFilters.from_params(
        {"risk": "extreme", "borough": "'; drop", "need": "idva", "by_and_for": "x", "status": "closed"},
        statuses=selectors.TRIAGE_STATUSES,
    )
    assert chosen == QueueFilters(need="idva")


def every_page(rows, order, size):
    """Walk forwards to the end, then backwards to the start, collecting each page."""
    forwards, after = [], ""
    while True:
        page = keyset_page(rows, order, after=after, size=size)
        forwards.append(page.rows)
        if not page.next_cursor:
            break
        after = page.next_cursor
    backwards, before = [page.rows], page.previous_cursor
    while before:
        page = keyset_page(rows, order, before=before, size=size)
        backwards.append(page.rows)
        before = page.previous_cursor
    return forwards, backwards[::-1]


def test_keyset_pages_return_every_row_exactly_once_with_ties(world, survivor):
    same_moment = NOW - dt.timedelta(days=2)
    for risk in (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.STANDARD):
        for _ in range(5):  # five referrals of each risk received at the very same moment
            f.ReferralFactory(survivor=survivor, status=Status.RECEIVED, received_at=same_moment, risk_level=risk)
    rows = selectors.policy.referrals_visible_to(world.users["hana"]).filter(status__in=selectors.TRIAGE_STATUSES)
    expected = list(selectors.triage_queue(user=world.users["hana"]))
    assert len(expected) == 16
    for size in (1, 3, 4, 7, 16, 50):
        forwards, backwards = every_page(rows, selectors.TRIAGE_ORDER, size)
        seen = [r.pk for page in forwards for r in page]
        assert seen == [r.pk for r in expected], size
        assert [r.pk for page in backwards for r in page] == seen, size
        assert all(len(page) == size for page in forwards[:-1])


def test_a_forged_cursor_shows_the_first_page(world, survivor):
    waiting(survivor, days=1, risk=RiskLevel.HIGH)
    forged = signing.dumps([3, NOW.isoformat(), "ZZZ"], salt="another-salt")
    page = selectors.triage_page(user=world.users["hana"], filters=QueueFilters(), after=forged)
    assert page.rows[0].risk_level == RiskLevel.HIGH
    assert selectors.triage_page(user=world.users["hana"], filters=QueueFilters(), after="not a cursor").rows


def test_the_queue_pages_in_the_browser_without_personal_data_in_the_url(world, survivor, client_for):
    for days in range(55):
        waiting(survivor, days=days + 1)
    hana = client_for("hana")
    first = hana.get(reverse("referrals:queue")).text
    assert first.count('class="govuk-table__row"><td') == 50
    cursor = first.split('href="?after=')[1].split('"')[0]
    second = hana.get(reverse("referrals:queue") + "?after=" + cursor).text
    assert second.count('class="govuk-table__row"><td') == 6  # 55 here and the world's own triage referral
    # The cursor holds only what the 50th row shows: its risk rank, when it arrived and its reference.
    fiftieth = list(selectors.triage_queue(user=world.users["hana"]))[49]
    assert signing.loads(unquote(cursor), salt="carehub.queue-cursor") == [
        3,
        fiftieth.received_at.isoformat(),
        fiftieth.reference,
    ]


def offer(referral, service, *, days: float) -> Offer:
    return Offer.objects.create(referral=referral, service=service, offered_at=NOW - dt.timedelta(days=days))


def test_a_high_risk_referral_is_first_in_the_inbox(world, survivor, client_for):
    solace = world.services["solace"]
    old = offer(waiting(survivor, days=40, status=Status.OFFERED, routed_service=solace), solace, days=30)
    medium = waiting(survivor, days=9, risk=RiskLevel.MEDIUM, status=Status.OFFERED, routed_service=solace)
    offer(medium, solace, days=9)
    high = waiting(survivor, days=1, risk=RiskLevel.HIGH, status=Status.OFFERED, routed_service=solace)
    offer(high, solace, days=0.5)
    amara = world.users["amara"]
    page = selectors.offers_page(user=amara, filters=QueueFilters())
    assert [o.referral for o in page.rows] == [high, medium, old.referral]
    assert [o.referral for o in selectors.offers_page(user=amara, filters=QueueFilters(risk="medium")).rows] == [medium]
    counts = {
        flt.name: {o.value: o.count for o in flt.options}
        for flt in selectors.offers_filters(user=amara, filters=QueueFilters())
    }
    assert counts["risk"] == {"not_assessed": 0, "standard": 1, "medium": 1, "high": 1}
    html = client_for("amara").get(reverse("referrals:inbox")).text
    assert html.index(high.reference) < html.index(medium.reference) < html.index(old.referral.reference)
    # Another service's manager sees none of them.
    assert selectors.offers_page(user=world.users["bea"], filters=QueueFilters()).rows == []
