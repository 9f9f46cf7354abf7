"""Commissioning evidence published from the demo data and read by commissioners, and by nobody else."""

from __future__ import annotations

import json
import re

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.world import PERSONAS


@pytest.fixture
def published(db, settings, tmp_path):
    settings.COMMISSIONING_RESULTS_DIR = tmp_path / "commissioning"
    call_command("seed", "--referrals", "600", "--seed", "5", "--end-date", "2026-10-31", verbosity=0)
    call_command("commissioning", "publish", verbosity=0)
    return tmp_path / "commissioning" / "hub"


def test_publishing_runs_on_the_extract_and_keeps_only_the_results(published):
    assert {p.name for p in published.iterdir()} == {"results.json", "results.csv", "report.html", "views"}
    # The filters' and services' count tables: counts, never a row about a person (no key of hers, no date)
    for path in (published / "views").iterdir():
        columns = set(pq.read_schema(path).names)
        assert not columns & {"referral_key", "survivor_key", "received_at"}, path.name
    assert {p.name for p in (published / "views").iterdir()} >= {"services_demand.parquet", "filters_waits.parquet"}
    document = json.loads((published / "results.json").read_text())
    assert 1 <= len(document["findings"]) <= 6
    assert set(document["waits"]["stages"]) == {"offer", "acceptance", "first_contact", "allocation"}
    assert document["unmet"]["by_and_for"]["asked"] > 0


def test_a_commissioner_sees_the_headline_first_then_charts_tables_and_csv(published, client_for, world):
    client = client_for("cora")
    page = client.get(reverse("commissioning:index")).content.decode()
    document = json.loads((published / "results.json").read_text())
    headline = page.index('data-headline="by-and-for"') if "data-headline" in page else page.index("data-findings")
    assert headline < page.index("data-vega-spec") < page.index("govuk-table")
    assert document["findings"][0] in page.replace("&#x27;", "'")
    assert len(re.findall(r'<script id="chart-[a-z]+" type="application/json">', page)) == 4  # rates first
    assert "<script>" not in page  # charts come from JSON script tags and a static script: no inline script
    csv = client.get(reverse("commissioning:download", kwargs={"kind": "csv"}))
    assert csv.status_code == 200 and b"table,key,subkey,measure,value" in b"".join(csv.streaming_content)
    assert client.get(reverse("commissioning:download", kwargs={"kind": "json"})).status_code == 404


def test_the_page_says_when_nothing_is_published(world, client_for, settings, tmp_path):
    settings.COMMISSIONING_RESULTS_DIR = tmp_path / "empty"
    page = client_for("cora").get(reverse("commissioning:index"))
    assert page.status_code == 200 and "carehub commissioning publish" in page.content.decode()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "cora"])
def test_nobody_but_commissioners_sees_the_evidence(client_for, world, persona, settings, tmp_path):
    settings.COMMISSIONING_RESULTS_DIR = tmp_path
    client = client_for(persona)
    for url in (reverse("commissioning:index"), reverse("commissioning:download", kwargs={"kind": "report"})):
        assert client.get(url).status_code == 404, (persona, url)


def test_carehub_commissioning_run_is_the_library_command(tmp_path, capsys):
    from django.core.management import ManagementUtility

    from carehub.synthetic.demand import monthly_series, referral_extract

    for name, table in referral_extract(monthly_series(seed=1, base=60.0), seed=2).items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
    argv = ["carehub", "commissioning", "run", "--data", str(tmp_path), "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit) as done:
        ManagementUtility(argv).execute()
    assert done.value.code == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"results.json", "results.csv", "report.html", "views"}
    assert "Referrals rose" in capsys.readouterr().out
    with pytest.raises(SystemExit) as failed:
        ManagementUtility([*argv[:4], str(tmp_path / "nothing"), "--out", str(tmp_path / "x")]).execute()
    assert failed.value.code == 2


def test_the_scenario_page_reruns_the_queue_with_the_caseworkers_asked_for(world, client_for, settings, tmp_path):
    from tests.commissioning.helpers import publish_synthetic

    settings.COMMISSIONING_RESULTS_DIR = tmp_path
    document = publish_synthetic()
    inputs = document["capacity"]["by_service_type"]
    assert set(inputs) == {"counselling", "helpline", "idva", "refuge"}
    client = client_for("cora")
    url = reverse("commissioning:scenario")

    def waits(query: dict) -> dict[str, float]:
        page = client.get(url, query).content.decode()
        return {k: float(v) for k, v in re.findall(r'data-p90="([a-z_]+)">([0-9]+)<', page)}

    published = waits({})
    assert set(published) == set(inputs)
    idva = inputs["idva"]["fte"]
    fewer = waits({"fte-idva": str(idva / 2)})
    assert fewer["idva"] > published["idva"]
    assert {k: v for k, v in fewer.items() if k != "idva"} == {k: v for k, v in published.items() if k != "idva"}
    cost = document["capacity"]["cost_per_fte"]
    assert waits({"budget-idva": f"£{idva / 2 * cost:,.0f}"})["idva"] == fewer["idva"]  # a budget is FTE x cost
    assert waits({"fte-idva": "lots"}) == published  # nonsense is ignored, not an error
