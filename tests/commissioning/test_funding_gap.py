"""The funding gap on the commissioners' pages: today's caseworkers are the directory's (as its managers keep them,
carried by the extract), the scenario starts from them, and evidence published without them says so."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.commissioning.helpers import publish_synthetic


def _fte(service, value: str | None) -> None:
    service.caseworker_fte = None if value is None else Decimal(value)
    service.save()


def _scenario(client, query: dict | None = None) -> dict[str, dict[str, str]]:
    page = client.get(reverse("commissioning:scenario"), query or {}).content.decode()
    boxes = dict(re.findall(r'name="fte-([a-z_]+)" type="text" inputmode="decimal" value="([0-9.]+)"', page))
    today = dict(re.findall(r'data-today="([a-z_]+)">([^<]+)<', page))
    waits = dict(re.findall(r'data-p90="([a-z_]+)">([0-9]+)<', page))
    return {"boxes": boxes, "today": today, "waits": waits, "page": page}


@pytest.fixture
def published_here(settings, tmp_path):
    settings.COMMISSIONING_RESULTS_DIR = tmp_path


def test_the_scenario_starts_from_the_directorys_fte_and_follows_a_change(world, client_for, published_here):
    """IDVA's starting caseworkers are the sum of the world's two IDVA services' FTE; a manager changing hers moves the
    baseline and its projected wait at the next publication (no setting could)."""
    _fte(world.services["solace"], "3.0")
    _fte(world.services["sistah"], "2.0")
    publish_synthetic(directory=True)
    cora = client_for("cora")
    before = _scenario(cora)
    assert before["boxes"]["idva"] == "5.0" and before["today"]["idva"] == "5.0"
    assert before["today"]["refuge"] == "not recorded"  # the world's refuge has no FTE: named so, not zero
    _fte(world.services["solace"], "6.0")
    publish_synthetic(directory=True)
    after = _scenario(cora)
    assert after["boxes"]["idva"] == "8.0" and after["today"]["idva"] == "8.0"
    assert int(after["waits"]["idva"]) < int(before["waits"]["idva"])
    assert after["waits"]["counselling"] == before["waits"]["counselling"]  # another type's baseline is its own
    # the box still changes the projection: today's FTE is where it starts, not what it is held to
    assert _scenario(cora, {"fte-idva": "5"})["waits"]["idva"] == before["waits"]["idva"]


def test_the_commissioner_sees_todays_fte_against_needed_and_the_gap(world, client_for, published_here, tmp_path):
    _fte(world.services["solace"], "2.0")
    document = publish_synthetic(directory=True)
    total = document["capacity"]["total"]
    page = client_for("cora").get(reverse("commissioning:index")).content.decode().replace("&#x27;", "'")
    assert "data-funding-gap" in page and f"{total['gap_fte']:.1f} caseworkers" in page
    assert f"£{total['gap_cost']:,.0f} a year" in page
    named = re.search(r"<span data-fte-not-recorded>([^<]+)</span>", page).group(1)
    assert world.services["sistah"].name in named and world.services["refuge"].name in named
    assert world.services["solace"].name not in named and world.services["ias"].name not in named
    assert document["findings"][-1] in page and "recorded today" in document["findings"][-1]
    # chart first, the table behind it: the gap and the projected waiting list, after the other four
    charts = re.findall(r'<script id="chart-([a-z]+)" type="application/json">', page)
    assert charts == ["rates", "demand", "waits", "declines", "capacity", "projection"]
    capacity = page[page.index('id="chart-capacity"') :]
    assert capacity.index("govuk-table") and "Recorded today" in capacity and "not recorded" in capacity
    on_disk = json.loads((tmp_path / "hub" / "results.json").read_text())
    assert on_disk["capacity"]["by_service_type"]["idva"]["today"]["fte"] == 2.0
    scenario = _scenario(client_for("cora"))["page"]
    assert "data-funding-gap" in scenario and 'data-needed="idva"' in scenario and 'data-short="idva"' in scenario


def test_evidence_without_the_directory_says_todays_fte_is_not_recorded(world, client_for, published_here):
    publish_synthetic()
    cora = client_for("cora")
    page = cora.get(reverse("commissioning:index")).content.decode().replace("&#x27;", "'")
    assert "Today's FTE not recorded" in page and "data-funding-gap" not in page
    assert len(re.findall(r'<script id="chart-[a-z]+" type="application/json">', page)) == 4
    scenario = _scenario(cora)
    assert "Today's FTE not recorded" in scenario["page"].replace("&#x27;", "'")
    assert set(scenario["today"].values()) == {"not recorded"}


def _document(queue_now: dict | None) -> dict:
    """Results for one service type at today's FTE (150 slots for about 120 cases' worth of demand), with today's
    queue as published, or without it (results written before they held it)."""
    idva = {
        "monthly_demand": 60.0,
        "durations_days": [10 + i * 100 / 98 for i in range(99)],  # 99 quantiles, 60 days on average
        "fte": 5.0,
        "today": {"fte": 5.0, "services": 1, "recorded": 1, "not_recorded": []},
        "needed": {"fte": 6.0},
        **({} if queue_now is None else {"queue_now": queue_now}),
    }
    capacity = {"cost_per_fte": 40000.0, "log_sd": 0.1, "caseload_per_fte": 30, "target_days": 14}
    return {"capacity": {**capacity, "by_service_type": {"idva": idva}}}


def test_the_scenario_at_todays_fte_starts_from_todays_published_queue():
    """As the commissioner page's year under today's FTE: a backlog today (every slot held by open cases, women
    waiting) lengthens the p90 wait the scenario page projects; results without the queue, or with its counts
    hidden as too small, start empty as before."""
    from carehub.commissioning.selectors import scenario

    backlog = {"waiting": 200, "open": 150, "open_days_tenths": [3, 9, 15, 22, 30, 38, 47, 58, 72, 95]}
    [empty] = scenario(_document(None), {})
    [today] = scenario(_document(backlog), {})
    assert today.fte == empty.fte == 5.0
    assert today.p90_wait > empty.p90_wait and today.probability <= empty.probability
    hidden = {"waiting": None, "open": None, "open_days_tenths": None}
    [small] = scenario(_document(hidden), {})
    assert (small.p90_wait, small.probability) == (empty.p90_wait, empty.probability)
    [again] = scenario(_document(backlog), {})  # seeded: the same answer every time
    assert (again.p90_wait, again.probability) == (today.p90_wait, today.probability)
