"""The commissioning page's demand rates and filters, and a service manager's view of her own services only."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.urls import reverse

from carehub.accounts import policy
from carehub.extract.writer import service_key

SERVICES = ("solace", "refuge", "sistah", "ias")  # the world's services, by their key in tests.world


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """One run for the module (a forecast takes seconds): referrals routed to four placeholder services."""
    from carehub.insight.commissioning.run import run
    from carehub.insight.commissioning.settings import ChangePoint, Settings
    from carehub.synthetic.demand import monthly_series, referral_extract

    series = monthly_series(seed=1, base=100.0)
    out = tmp_path_factory.mktemp("commissioning") / "hub"
    with tempfile.TemporaryDirectory() as work:
        tables = referral_extract(series, seed=2)
        referrals = tables["referrals"]
        chosen = np.random.default_rng(3).choice(len(SERVICES), referrals.num_rows, p=[0.5, 0.1, 0.3, 0.1])
        tables["referrals"] = referrals.append_column("service_key", pa.array(np.array(SERVICES)[chosen]))
        offers = tables["offers"]  # the service offered: its own key, drawn apart from the referral's routing
        offered = np.random.default_rng(4).choice(len(SERVICES), offers.num_rows, p=[0.5, 0.1, 0.3, 0.1])
        tables["offers"] = offers.append_column("service_key", pa.array(np.array(SERVICES)[offered]))
        for name, table in tables.items():
            pq.write_table(table, Path(work) / f"{name}.parquet")
        run(
            Path(work),
            out,
            settings=Settings(
                change_points=(ChangePoint(series.plants.break_month, "adjust", "planted recording break"),),
                backtest_origins=2,
            ),
        )
    return out


@pytest.fixture
def published(run_folder, world, settings, tmp_path) -> dict:
    """The run where the pages read it, its placeholder services keyed as the extract keys the world's services."""
    settings.COMMISSIONING_RESULTS_DIR = tmp_path
    target = tmp_path / "hub"
    shutil.copytree(run_folder, target)
    keys = {name: service_key(world.services[name].pk) for name in SERVICES}
    for path in (target / "views").glob("services_*.parquet"):
        frame = pd.read_parquet(path)
        if "service_key" in frame.columns:
            frame["service_key"] = frame.service_key.map(lambda k: keys.get(k, k))
        frame.to_parquet(path, index=False)
    return json.loads((target / "results.json").read_text())


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def test_the_page_shows_the_rate_per_10000_as_a_headline_then_a_chart_then_its_table(published, client_for):
    page = _text(client_for("cora").get(reverse("commissioning:index")))
    rates = published["demand"]["rates"]
    assert rates["headline"] in page and "per 10,000 adult women" in rates["headline"]
    headline = page.index('data-headline="rates"')
    table = page.index('govuk-table__caption--s">Referrals a year per 10,000 adult women')
    assert headline < page.index('data-vega-spec="chart-rates"') < table
    spec = json.loads(re.search(r'<script id="chart-rates" type="application/json">(.*?)</script>', page, re.S)[1])
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")  # drawn by the served vega-embed
    assert "<script>" not in page  # no inline script: the content security policy holds
    london = next(r for r in rates["rows"] if r["borough"] == "all")
    assert f"{london['rate']:,.1f}" in page and f"{london['low']:,.1f} to {london['high']:,.1f}" in page
    for norm in published["norms"]:
        assert norm["source"] in page  # each planning norm is shown with its source


def test_a_filter_narrows_every_figure_shown(published, client_for):
    client = client_for("cora")
    query = {"borough": "E09000003", "service_type": "idva", "period": "last_12_months"}
    response = client.get(reverse("commissioning:index"), query)
    page = _text(response)
    assert response.status_code == 200
    assert "Figures for Barnet, Independent domestic violence advocacy (IDVA) services, over the last 12 months" in page
    assert "data-findings" not in page  # the whole hub's findings are not shown as if they were Barnet's
    table = re.search(r"<caption[^>]*>Referrals each month.*?</table>", page, re.S)[0]
    assert len(re.findall(r'<th scope="row"', table)) == 12  # twelve months, no forecast
    assert '<option value="E09000003" selected>Barnet</option>' in page
    whole = _text(client.get(reverse("commissioning:index")))
    assert "data-findings" in whole and "Figures for" not in whole


@pytest.mark.parametrize(
    "query",
    [{"borough": "E99999999"}, {"service_type": "spa"}, {"period": "forever"}, {"borough": "<script>"}],
)
def test_an_unknown_filter_value_is_a_clear_400_not_an_error(published, client_for, query):
    response = client_for("cora").get(reverse("commissioning:index"), query)
    page = _text(response)
    assert response.status_code == 400
    assert "These filters cannot be shown" in page and "There is no" in page
    assert "<script>" not in page.split("data-filter-error>")[1].split("</p>")[0]  # the value is escaped


def test_a_service_manager_reads_her_own_services_evidence_from_her_home(published, client_for, world):
    client = client_for("amara")
    home = _text(client.get(reverse("home")))
    assert "Demand, waits and capacity for your services" in home
    own = reverse("commissioning:service", kwargs={"pk": world.services["solace"].pk})
    assert own in home and reverse("commissioning:service", kwargs={"pk": world.services["sistah"].pk}) not in home
    page = _text(client.get(own))
    assert "Quaymarsh IDVA: demand, waits and capacity" in page
    assert 'data-vega-spec="chart-demand"' in page and 'data-vega-spec="chart-waits"' in page
    assert "data-waiting-list" in page and "data-findings" not in page
    total = re.search(r"(\d[\d,]*) referrals were routed to Quaymarsh IDVA", page)
    assert total and 0 < int(total[1].replace(",", "")) < sum(m["referrals"] for m in published["demand"]["monthly"])


def test_her_service_page_shows_her_services_declines_per_100_offers_and_its_forecast(published, client_for, world):
    """The declines are those of offers made by her service (the offer's own key), published by their cell key: the
    same figures as the library's view for that key, in a chart with its table."""
    from carehub.commissioning import selectors
    from carehub.insight.commissioning import views

    client = client_for("amara")
    page = _text(client.get(reverse("commissioning:service", kwargs={"pk": world.services["solace"].pk})))
    assert 'data-vega-spec="chart-declines"' in page
    assert "Declines per 100 offers, by reason and service type" in page
    found = selectors._counts("services")
    view = views.view(
        found, views.Filters(service=service_key(world.services["solace"].pk)), selectors._settings(published)
    )
    shown = [d for d in view["unmet"]["declines"] if d["per_100_offers"] is not None]
    assert shown
    for d in shown:
        assert f"{d['per_100_offers']:,.1f}" in page and d["reason_label"] in page
    all_offers = [d["offers"] for d in published["unmet"]["declines"] if d["offers"] is not None]
    assert max(d["offers"] for d in shown) < max(all_offers)  # hers, not everyone's
    forecast = view["forecast"]
    assert forecast and len(forecast["months"]) == 12  # fifty-odd referrals a month for nine years: enough
    first, last = forecast["months"][0], forecast["months"][-1]
    assert (
        f"Forecast: about {first['mean']} referrals in {first['month']} (95% prediction interval "
        f"{first['lower95']} to {first['upper95']}) and about {last['mean']} in {last['month']}"
    ) in page
    assert f'<td class="govuk-table__cell">{first["lower95"]:,.0f} to {first["upper95"]:,.0f}</td>' in page
    assert first["mean"] < published["forecast"]["months"][0]["mean"]  # hers, not London's


def test_a_manager_sees_only_her_services_and_nothing_of_the_sealed_pathway(published, client_for, world):
    assert set(policy.services_with_evidence_for(world.users["amara"])) == {
        world.services["solace"],
        world.services["refuge"],
    }
    assert set(policy.services_with_evidence_for(world.users["bea"])) == {world.services["sistah"]}
    assert not policy.services_with_evidence_for(world.users["ivan"]).exists()  # the independent service's manager
    assert not policy.services_with_evidence_for(world.users["cora"]).exists()
    amara = client_for("amara")
    for other in ("sistah", "ias"):
        assert amara.get(reverse("commissioning:service", kwargs={"pk": world.services[other].pk})).status_code == 404
    ivan = client_for("ivan")
    assert "Demand, waits and capacity for your services" not in _text(ivan.get(reverse("home")))
    for name in SERVICES:
        assert ivan.get(reverse("commissioning:service", kwargs={"pk": world.services[name].pk})).status_code == 404


@pytest.mark.parametrize("persona", ["cora", "hana", "alice", "percy", "pete", "ines", "adam", "otto"])
def test_nobody_but_a_service_manager_reads_a_services_evidence(published, client_for, world, persona):
    url = reverse("commissioning:service", kwargs={"pk": world.services["solace"].pk})
    assert client_for(persona).get(url).status_code == 404


def test_the_norms_a_site_sets_reach_the_run_with_their_sources(settings):
    from carehub.commissioning.services import run_settings

    assert {n.name for n in run_settings().norms} == {"marac_cases", "idva_caseload"}  # the library's, by default
    settings.COMMISSIONING_SETTINGS = {
        "norms": [{"name": "idva_caseload", "value": 90, "unit": "referrals a year", "source": "our 2025 review"}],
        "cost_per_fte": 45_000.0,
    }
    found = run_settings()
    assert [(n.name, n.value, n.source) for n in found.norms] == [("idva_caseload", 90, "our 2025 review")]
    assert found.cost_per_fte == 45_000.0 and found.wait_target_days == 14.0


def _capacity_rows(page: str) -> dict[str, str]:
    block = page[page.index("data-capacity") :]
    block = block[: block.index("</dl>")]
    keys = re.findall(r'govuk-summary-list__key">([^<]+)</dt>', block)
    values = re.findall(r'govuk-summary-list__value">([^<]+)</dd>', block)
    return dict(zip(keys, values, strict=True))


@pytest.mark.parametrize("with_evidence", [True, False])
def test_her_service_page_shows_its_capacity_beside_its_cases_now_hers_only(
    with_evidence, run_folder, world, client_for, settings, tmp_path, request
):
    """Capacity as the directory keeps it, beside the service's open and waiting cases counted through the policy:
    another service's cases and a sealed case are not counted; shown before anything is published too."""
    from carehub.cases.models import CaseStatus
    from carehub.directory.models import Service
    from tests import factories as f

    if with_evidence:
        request.getfixturevalue("published")
    else:
        settings.COMMISSIONING_RESULTS_DIR = tmp_path  # nothing published
    solace = world.services["solace"]
    Service.objects.filter(pk=solace.pk).update(capacity=20, current_wait_days=9, accepting_referrals=False)
    for _ in range(2):
        f.CaseFactory(service=solace, status=CaseStatus.WAITING, referral__routed_service=solace)
    f.CaseFactory(service=world.services["refuge"], status=CaseStatus.WAITING)  # her other service: not this one
    f.CaseFactory(service=world.services["sistah"], caseworker=world.users["bola"])  # another organisation's
    f.CaseFactory(service=solace, referral__sealed=True, caseworker=world.users["alice"])  # sealed: not counted
    page = _text(client_for("amara").get(reverse("commissioning:service", kwargs={"pk": solace.pk})))
    assert ("No figures for your services have been published yet" in page) is not with_evidence
    assert _capacity_rows(page) == {
        "Open cases it can hold at once": "20",
        "Open cases now": "1 (5% of what it can hold)",  # alice's case of the world
        "Waiting for a caseworker now": "2",
        "Caseworkers holding open cases": "1",
        "Caseworkers (full-time equivalent)": "not recorded",  # no ratio either: nothing to divide by
        "Typical wait in the directory": "9 days",
        "Taking referrals": "No",
    }
    assert reverse("directory:capacity", kwargs={"pk": solace.pk}) in page


def test_her_service_page_shows_caseworker_fte_and_open_cases_per_fte(world, client_for, settings, tmp_path):
    """The FTE she keeps in the directory, and open cases per full-time caseworker beside it (5 open / 2.5 FTE)."""
    from decimal import Decimal

    from carehub.directory.models import Service
    from tests import factories as f

    settings.COMMISSIONING_RESULTS_DIR = tmp_path  # nothing published: the capacity is shown all the same
    solace = world.services["solace"]
    Service.objects.filter(pk=solace.pk).update(caseworker_fte=Decimal("2.5"))
    for _ in range(4):  # beside alice's open case of the world
        f.CaseFactory(service=solace, caseworker=world.users["alice"])
    rows = _capacity_rows(_text(client_for("amara").get(reverse("commissioning:service", kwargs={"pk": solace.pk}))))
    assert rows["Open cases now"].startswith("5 ")
    assert rows["Caseworkers (full-time equivalent)"] == "2.5"
    assert rows["Open cases per full-time caseworker"] == "2.0"
