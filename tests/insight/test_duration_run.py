"""`carehub duration run`: the three files, what they say, and what they never carry."""

from __future__ import annotations

import csv
import json

import pytest

from carehub.insight.duration import load_spec
from carehub.insight.duration.cli import main
from carehub.insight.duration.simulate import simulate


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    simulated = simulate(3000, seed=11)
    data = simulated.write(tmp_path_factory.mktemp("extract"))
    out = tmp_path_factory.mktemp("out")
    status = main(["run", "--data", str(data), "--out", str(out), "--extract-date", "2026-10-31"])
    assert status == 0
    return out


def test_run_writes_the_three_files_with_the_headline_first(outputs):
    document = json.loads((outputs / "results.json").read_text())
    assert document["schema"] == "carehub.duration.results/1"
    assert document["findings"][0].startswith("Commissioning 26 weeks of support rather than 12")
    assert "per 1,000 women" in document["findings"][0]
    for part in ("describe", "cox", "trial", "landmark", "naive", "money"):
        assert part in document
    assert document["trial"]["design"]["time_zero"] == "the start of support, under both strategies"
    assert (
        "within 52 weeks of the start of support, during support or after it" in document["trial"]["design"]["outcome"]
    )
    assert document["trial"]["weights"]["26 weeks"]["clones"] > 0
    assert document["cox"]["proportional_hazards"]["tests"]
    rows = list(csv.DictReader((outputs / "results.csv").open()))
    assert {r["section"] for r in rows} >= {"trial", "naive", "landmark", "cox", "describe", "money"}


def test_the_report_is_self_contained(outputs):
    report = (outputs / "report.html").read_text()
    assert "<script" not in report and "http://" not in report.replace("http://www.w3.org/2000/svg", "")
    assert report.count("<svg") == 2
    assert "What the estimate assumes" in report


def test_small_groups_are_suppressed_and_carry_no_numbers(outputs):
    document = json.loads((outputs / "results.json").read_text())
    groups = document["describe"]["groups"]
    hidden = [g for g in groups if g["suppressed"]]
    assert hidden, "3,000 women across 8 boroughs and 3 bands leave some cells under the threshold"
    assert all(g["episodes"] is None and g["risk_52_weeks"] is None for g in hidden)
    shown = [g for g in groups if not g["suppressed"]]
    assert all(g["episodes"] >= load_spec().threshold for g in shown)


def test_missing_data_is_an_error_in_words(tmp_path, capsys):
    assert main(["run", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "episodes.parquet" in capsys.readouterr().err
