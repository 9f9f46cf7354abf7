"""The hub's equality impact assessment, published from the demo data and read by commissioners, and nobody else."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from carehub.insight.equality.outputs import SCHEMA
from carehub.referrals import directory_snapshot
from tests.world import PERSONAS


def seed() -> None:
    call_command("seed", "--referrals", "600", "--seed", "5", "--end-date", "2026-10-31", verbosity=0)


def seed_and_publish() -> None:
    seed()
    call_command("eia", "publish", verbosity=0)


@pytest.fixture(scope="module")
def published_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The published files, for the tests that only read them: seeding and publishing take seconds, so they are done
    once for the module, in a transaction rolled back afterwards (the database is as each test's own would find it)."""
    results = tmp_path_factory.mktemp("eia")
    with django_db_blocker.unblock(), override_settings(EIA_RESULTS_DIR=results), transaction.atomic():
        seed_and_publish()
        transaction.set_rollback(True)
    directory_snapshot.forget()
    return results


@pytest.fixture
def published(published_once, db, settings, tmp_path):
    """The demo data seeded in this test's own database, beside a copy of what `eia publish` wrote from the same
    seed for the module: the test publishes again from its own database. Publishing a first time here too repeated
    the module's publish (the equality engine's run, most of this module's CPU) for the same files."""
    settings.EIA_RESULTS_DIR = tmp_path / "eia"
    seed()
    shutil.copytree(published_once, tmp_path / "eia")
    return tmp_path / "eia" / "hub"


@pytest.fixture
def published_files(published_once, settings):
    settings.EIA_RESULTS_DIR = published_once
    return published_once / "hub"


def test_publishing_runs_the_hub_specification_on_the_demo_extract(published):
    assert {p.name for p in published.iterdir()} == {"results.json", "results.csv", "report.html"}
    document = json.loads((published / "results.json").read_text())
    assert document["schema"] == SCHEMA
    metrics = {r["metric"] for r in document["results"]}
    assert {"reach", "by_and_for_offered", "accepted", "positive_outcome", "days_waiting"} <= metrics
    assert {"by_and_for_offered_by_immigration", "accepted_by_immigration"} <= metrics
    immigration = [r for r in document["results"] if r["characteristic"] == "immigration" and r["scope"] == "group"]
    assert {r["group"] for r in immigration} >= {"secure", "insecure"}
    # Aggregates only: no row is a person, and small groups are suppressed.
    # (A zero for a group with nobody in it discloses nothing and is published.)
    empty = [r for r in document["results"] if r["count"] == 0 and (r["kind"] != "proportion" or not r["denominator"])]
    assert all(r["count"] is None or r["count"] >= 10 or r["suppressed"] or r in empty for r in document["results"])
    assert "survivor_key" not in (published / "results.csv").read_text()

    # Publishing again replaces the three files whole, leaving nothing half-written beside them.
    call_command("eia", "publish", verbosity=0)
    assert {p.name for p in published.iterdir()} == {"results.json", "results.csv", "report.html"}
    assert not [p for p in published.parent.iterdir() if p.name.startswith(".")]
    again = json.loads((published / "results.json").read_text())
    assert again["assessment"]["generated_at"] >= document["assessment"]["generated_at"]


def test_a_commissioner_reads_the_findings_report_and_csv(published_files, client_for, world):
    client = client_for("cora")
    index = client.get(reverse("equality:index"))
    assert index.status_code == 200 and b"Read the findings" in index.content
    page = client.get(reverse("equality:detail", kwargs={"name": "hub"}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Findings" in body and "Offered a by-and-for service when asked" in body and "Immigration status" in body
    # Proportions read as "n of N" and a percentage, waits as a median in days, never as bare fractions.
    assert re.search(r"\d+ of \d+</td>", body) and re.search(r"\d+\.\d%</td>", body)
    assert re.search(r"\d+\.\d days \(median\)</td>", body)
    report = client.get(reverse("equality:download", kwargs={"name": "hub", "kind": "report"}))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/html")
    assert b"Equality impact assessment" in b"".join(report.streaming_content)
    assert "'unsafe-inline'" in report["Content-Security-Policy"].split("style-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in report["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    csv = client.get(reverse("equality:download", kwargs={"name": "hub", "kind": "csv"}))
    assert csv.status_code == 200 and "attachment" in csv["Content-Disposition"]


def test_the_detail_page_says_when_nothing_is_published(world, client_for, settings, tmp_path):
    settings.EIA_RESULTS_DIR = tmp_path / "empty"
    page = client_for("cora").get(reverse("equality:detail", kwargs={"name": "hub"}))
    assert page.status_code == 200 and b"not been published yet" in page.content
    missing = client_for("cora").get(reverse("equality:download", kwargs={"name": "hub", "kind": "report"}))
    assert missing.status_code == 404


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "cora"])
def test_nobody_but_commissioners_sees_the_assessment(client_for, world, persona, settings, tmp_path):
    # Refused by the policy before anything is read, published or not.
    settings.EIA_RESULTS_DIR = tmp_path
    client = client_for(persona)
    for url in (
        reverse("equality:index"),
        reverse("equality:detail", kwargs={"name": "hub"}),
        reverse("equality:download", kwargs={"name": "hub", "kind": "report"}),
    ):
        assert client.get(url).status_code == 404, (persona, url)


def test_only_published_names_and_known_files_are_served(client_for, world):
    client = client_for("cora")
    assert client.get(reverse("equality:detail", kwargs={"name": "other"})).status_code == 404
    assert client.get(reverse("equality:download", kwargs={"name": "hub", "kind": "json"})).status_code == 404
    assert client.get("/insight/equality/hub/..%2f..%2fsettings").status_code == 404


def test_carehub_eia_run_is_the_library_command(tmp_path, capsys):
    from django.core.management import ManagementUtility

    from tests.insight.conftest import CENSUS, SPECS, STOP_SEARCH

    argv = ["carehub", "eia", "run", str(SPECS / "over_policing_stop_search.toml"), "--out", str(tmp_path / "out")]
    argv += ["--data", f"stop_search={STOP_SEARCH}", "--data", f"census={CENSUS}"]
    with pytest.raises(SystemExit) as done:
        ManagementUtility(argv).execute()
    assert done.value.code == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"results.json", "results.csv", "report.html"}
    assert "Adverse: stop and search rate for Black" in capsys.readouterr().out
    with pytest.raises(SystemExit) as failed:
        ManagementUtility([*argv[:5], str(tmp_path / "x"), "--data", "stop_search=/nonexistent.csv"]).execute()
    assert failed.value.code == 2
    assert "does not exist" in capsys.readouterr().err


def test_publishing_too_little_data_says_why_and_publishes_nothing(world, settings, tmp_path):
    from django.core.management.base import CommandError

    settings.EIA_RESULTS_DIR = tmp_path / "eia"
    with pytest.raises(CommandError, match="nothing published: The reference group 'white'"):
        call_command("eia", "publish", verbosity=0)
    assert not (tmp_path / "eia" / "hub").exists()
    assert not [p for p in (tmp_path / "eia").iterdir()]  # no half-written staging folder left behind


def test_the_commissioners_page_leads_with_headlines_then_charts_then_tables(published_files, client_for, world):
    client = client_for("cora")
    body = client.get(reverse("equality:detail", kwargs={"name": "hub"})).content.decode()
    headlines, charts, tables = body.index("Headlines"), body.index(">Charts<"), body.index("By measure")
    assert headlines < charts < tables
    # the absolute figure first ("24.5% for everyone"), then the widest gap in percentage points, then the ratio
    assert re.search(r"Offered a by-and-for service when asked: \d+\.\d% for everyone \(\d+ of \d+\)\.", body)
    assert re.search(r"The widest gap: [^,]+, \d+\.\d% against \d+\.\d% for [^,]+, \d+\.\d percentage points", body)
    # charts: a Vega-Lite spec in a JSON script tag, drawn by a static script (no inline script), with its table
    spec_id = re.search(r'data-vega-spec="([^"]+)"', body).group(1)
    spec = json.loads(re.search(rf'<script id="{spec_id}" type="application/json">(.*?)</script>', body, re.S).group(1))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert "/static/vega/vega-embed.min.js" in body and "/static/equality/charts.js" in body
    assert not re.search(r"<script>(?!</script>)", body)
    assert "The figures as a table" in body and "Ethnicity as she described it, ONS 2021 categories" in body
    csv_link = re.search(r'href="(/insight/equality/hub/chart/[^"]+\.csv)"', body).group(1)
    download = client.get(csv_link)
    assert download.status_code == 200 and download.content.decode().startswith("Group,Figure,95% interval,Finding")
    assert client.get("/insight/equality/hub/chart/nothing/sex.csv").status_code == 404
    assert client_for("hana").get(csv_link).status_code == 404  # a hub worker: not a commissioner
