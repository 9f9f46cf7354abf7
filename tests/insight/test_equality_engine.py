"""The engine end to end: the shipped specifications, suppression of what is published, findings, the outputs."""

from __future__ import annotations

import csv
import json
import re

import pytest

from carehub.insight.equality import load_spec, run
from carehub.insight.equality.analysis import RESULT_FIELDS
from carehub.insight.equality.cli import main
from carehub.insight.equality.findings import judge
from carehub.insight.equality.outputs import SCHEMA, TOP_LEVEL_KEYS
from carehub.synthetic import extracts

from .conftest import SPECS


@pytest.fixture(scope="module")
def stop_search(tmp_path_factory, stop_search_data):
    out = tmp_path_factory.mktemp("stop_search")
    assessment = run(SPECS / "over_policing_stop_search.toml", stop_search_data, out_dir=out)
    return assessment, out


@pytest.fixture(scope="module")
def hub(tmp_path_factory, referrals_parquet):
    out = tmp_path_factory.mktemp("hub")
    assessment = run(SPECS / "hub.toml", extracts.extract_data(referrals_parquet), out_dir=out)
    return assessment, out


def test_over_policing_report_opens_with_plain_english_findings(stop_search):
    _, out = stop_search
    html = (out / "report.html").read_text(encoding="utf-8")
    findings = html.index("Findings in plain English")
    assert findings < html.index("<h2>Stop and search rate</h2>")
    assert re.search(
        r"Adverse:</span> stop and search rate for Black \(ethnic group as the person described it\), "
        r"[\d.]+ per 1,000 a year",
        html,
    )
    assert "Stanford Open Policing Project" in html and "Race Disparity Unit" in html
    assert "<svg" in html
    # self-contained: no script, no stylesheet or image fetched from anywhere
    assert "<script" not in html and not re.search(r"(src|href)=\"https?:", html)


def test_over_policing_black_searched_more_often_than_white(stop_search):
    assessment, _ = stop_search
    black = next(
        r for r in assessment.results
        if r["metric"] == "search_rate" and r["scope"] == "group" and r["group"] == "black"
    )  # fmt: skip
    assert black["finding"] == "adverse"
    assert 3 < black["ratio"] < 5
    assert black["bound_low"] < black["ratio"] < black["bound_high"]
    # the sample is 4% of 15 months against the whole population: rate = 1000 * count / (P * 15 / 12)
    assert black["value"] == pytest.approx(1000 * black["count"] / (black["denominator"] * 15 / 12))


def test_results_json_schema_is_stable(stop_search):
    _, out = stop_search
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert tuple(document) == TOP_LEVEL_KEYS
    assert document["schema"] == SCHEMA
    assert all(tuple(r) == RESULT_FIELDS for r in document["results"])
    assert set(document["summary"]) == {"headline", "exploratory"}
    assert document["assessment"]["period"] == {"start": "2017-12-01", "end": "2019-02-28", "months": 15.0}
    with (out / "results.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(document["results"]) and tuple(rows[0]) == RESULT_FIELDS


def test_nothing_published_is_under_the_threshold(stop_search, hub):
    for assessment, _ in (stop_search, hub):
        threshold = assessment.spec.threshold
        for r in assessment.results:
            if r["suppressed"] or r["count"] is None:
                continue
            if r["count"] == 0 and (r["kind"] != "proportion" or r["denominator"] == 0):
                continue  # a group with nobody in it: "0" discloses nothing, and is published
            assert r["count"] >= threshold, r
            if r["kind"] == "proportion":
                assert r["denominator"] - r["count"] >= threshold or r["denominator"] == 0, r


def test_a_hidden_group_cannot_be_worked_out_from_the_total(stop_search, hub):
    """In every one-way table, hidden groups come at least two at a time (or the hidden total is not zero)."""
    for assessment, _ in (stop_search, hub):
        results = assessment.results
        for metric in assessment.spec.metrics:
            for characteristic in assessment.spec.characteristics_of(metric):
                rows = [r for r in results if r["metric"] == metric.name and r["characteristic"] == characteristic.name
                        and r["scope"] == "group"]  # fmt: skip
                hidden = [r for r in rows if r["suppressed"]]
                assert len(hidden) != 1, (metric.name, characteristic.name)


def test_hub_specification_covers_every_characteristic_metric_intersection_and_quarter(hub):
    assessment, _ = hub
    results = assessment.results
    spec = assessment.spec
    assert {r["metric"] for r in results} == {m.name for m in spec.metrics}
    assert {r["characteristic"] for r in results if r["scope"] == "group"} == {c.name for c in spec.characteristics}
    pairs = {(r["characteristic"], r["by"]) for r in results if r["scope"] == "intersection"}
    assert len(pairs) == len(spec.intersections) == 28  # 8 characteristics crossed; immigration is counts only
    assert not any("immigration" in pair for pair in pairs)
    assert {r["by_group"] for r in results if r["scope"] == "quarter"} >= {"2023Q1", "2024Q4"}
    assert any(r["scope"] == "area" for r in results)


def test_hub_finds_the_disparities_built_into_the_synthetic_data(hub):
    assessment, _ = hub
    outcome = next(
        r for r in assessment.results
        if r["metric"] == "positive_outcome_by_immigration" and r["scope"] == "group" and r["group"] == "insecure"
    )  # fmt: skip
    assert outcome["finding"] == "adverse" and outcome["ratio"] < 0.95
    assert outcome["statement"].startswith("Adverse: positive outcome at closure, by immigration status for Insecure")


def test_holm_for_headline_and_bh_for_exploratory(hub):
    assessment, _ = hub
    for r in assessment.results:
        if r["p_adjusted"] is None:
            continue
        expected = r["p_holm"] if r["family"] == "headline" else r["p_bh"]
        assert r["p_adjusted"] == expected
        assert r["p_holm"] >= r["p_value"] and r["p_bh"] >= r["p_value"]


@pytest.mark.parametrize(
    ("higher_is", "p", "low", "high", "expected"),
    [
        ("worse", 0.001, 1.2, 1.5, "adverse"),
        ("worse", 0.001, 0.5, 0.8, "favourable"),
        ("better", 0.001, 0.5, 0.8, "adverse"),
        ("better", 0.001, 1.2, 1.5, "favourable"),
        ("worse", 0.001, 0.9, 1.5, "no_evidence"),  # interval crosses 1
        ("worse", 0.2, 1.2, 1.5, "no_evidence"),  # not significant after adjustment
    ],
)
def test_finding_rule(higher_is, p, low, high, expected):
    spec = load_spec(SPECS / "hub.toml")
    metric = next(m for m in spec.metrics if m.higher_is == higher_is)
    row = {"scope": "group", "characteristic": "sex", "ratio": (low + high) / 2, "ratio_low": low,
           "ratio_high": high, "p_adjusted": p}  # fmt: skip
    assert judge(row, metric, spec) == expected


def test_finding_rule_too_few_and_reference():
    spec = load_spec(SPECS / "hub.toml")
    metric = spec.metrics[0]
    assert judge({"scope": "group", "characteristic": "sex", "ratio": None, "p_adjusted": None}, metric, spec) == (
        "too_few"
    )
    assert judge({"finding": "reference"}, metric, spec) == "reference"


def test_command_line_writes_the_three_files_and_fails_clearly(tmp_path, stop_search_data, capsys):
    args = ["run", str(SPECS / "over_policing_stop_search.toml"), "--out", str(tmp_path / "out")]
    for name, path in stop_search_data.items():
        args += ["--data", f"{name}={path}"]
    assert main(args) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"results.json", "results.csv", "report.html"}
    assert "Adverse: stop and search rate for Black" in capsys.readouterr().out
    bad = ["run", str(SPECS / "over_policing_stop_search.toml"), "--out", str(tmp_path / "x"),
           "--data", f"stop_search={tmp_path / 'missing.csv'}"]  # fmt: skip
    assert main(bad) == 2
    assert "does not exist" in capsys.readouterr().err


def test_independent_advisory_specification_runs(tmp_path, referrals_parquet):
    assessment = run(SPECS / "independent_advisory.toml", extracts.extract_data(referrals_parquet), out_dir=tmp_path)
    assert {r["metric"] for r in assessment.results} == {m.name for m in assessment.spec.metrics}
    assert (tmp_path / "report.html").exists()
