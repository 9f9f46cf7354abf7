"""Data already counted (a frequency table with a weight column) give exactly what the rows themselves give.

The hub's extract carries immigration status only as counts, never per person; the engine must assess those counts
as if they were the rows they stand for, and must not let a characteristic held in one data set leak into metrics
on another.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from carehub.insight.equality import SpecError, assess, load_spec

SPEC = """
title = "Weights"
aim = "Counts assess as rows."
[datasets.events]
path = "{events}"
{weight}
[datasets.other]
path = "other.csv"
[trends]
column = "quarter"
from = "label"
[[characteristics]]
name = "status"
column = "status"
reference = "secure"
categories = ["secure", "insecure"]
unknown = ["unknown"]
datasets = ["events"]
[[characteristics]]
name = "sex"
column = "sex"
reference = "female"
categories = ["female", "male"]
[intersections]
all = true
[[metrics]]
name = "offered"
kind = "proportion"
dataset = "events"
denominator = [{{ column = "wanted", is = true }}]
numerator = [{{ column = "offered", is = true }}]
higher_is = "better"
[[metrics]]
name = "wait"
kind = "duration"
dataset = "events"
column = "days"
higher_is = "worse"
[[metrics]]
name = "seen"
kind = "proportion"
dataset = "other"
numerator = [{{ column = "seen", is = true }}]
higher_is = "better"
"""


def rows(seed: int = 4) -> list[tuple]:
    rng = random.Random(seed)
    out = []
    for _ in range(3000):
        status = rng.choices(["secure", "insecure", "unknown"], [6, 3, 1])[0]
        wanted = rng.random() < 0.5
        offered = wanted and rng.random() < (0.7 if status == "secure" else 0.45)
        days = rng.choice([0, 3, 7, 14, 21, 30]) + (7 if status == "insecure" else 0)
        out.append((rng.choice(["2025Q1", "2025Q2"]), status, rng.choice(["female", "male"]), wanted, offered, days))
    return out


def write(tmp_path: Path, *, weighted: bool) -> Path:
    data = rows()
    header = "quarter,status,sex,wanted,offered,days"
    if weighted:
        counted: dict[tuple, int] = {}
        for row in data:
            counted[row] = counted.get(row, 0) + 1
        lines = [header + ",n", *(",".join(map(str, r)) + f",{n}" for r, n in counted.items())]
    else:
        lines = [header, *(",".join(map(str, r)) for r in data)]
    (tmp_path / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "other.csv").write_text(
        "quarter,sex,seen\n" + "2025Q1,female,true\n2025Q2,male,false\n" * 30, encoding="utf-8"
    )
    spec = SPEC.format(events="events.csv", weight='weight = "n"' if weighted else "")
    (tmp_path / "spec.toml").write_text(spec, encoding="utf-8")
    return tmp_path / "spec.toml"


def comparable(results: list[dict]) -> list[tuple]:
    keys = ("metric", "characteristic", "group", "family", "count", "value", "ratio", "p_value", "finding")
    return sorted(tuple(str(r.get(k)) for k in keys) for r in results)


def test_a_frequency_table_gives_the_same_results_as_its_rows(tmp_path):
    (tmp_path / "rows").mkdir()
    (tmp_path / "counts").mkdir()
    by_rows = assess(load_spec(write(tmp_path / "rows", weighted=False))).results
    by_counts = assess(load_spec(write(tmp_path / "counts", weighted=True))).results
    assert len((tmp_path / "counts" / "events.csv").read_text().splitlines()) < 300  # really counted: not 3,000 rows
    assert comparable(by_counts) == comparable(by_rows)
    insecure = next(
        r
        for r in by_counts
        if r["metric"] == "offered" and r["group"] == "insecure" and not r["family"].startswith("trend")
    )
    assert insecure["finding"] == "adverse"


def test_a_characteristic_is_not_applied_to_a_data_set_that_lacks_it(tmp_path):
    results = assess(load_spec(write(tmp_path, weighted=True))).results
    on_other = {r["characteristic"] for r in results if r["metric"] == "seen"}
    assert "status" not in on_other and "sex" in on_other
    pairs = {(r["characteristic"], r["by"]) for r in results if r["metric"] == "seen" and r["scope"] == "intersection"}
    assert pairs == set()  # sex is the only characteristic of 'other': nothing to cross it with


def test_a_missing_weight_column_is_named(tmp_path):
    path = write(tmp_path, weighted=True)
    path.write_text(path.read_text().replace('weight = "n"', 'weight = "count"'), encoding="utf-8")
    with pytest.raises(Exception, match="count"):
        assess(load_spec(path))


def test_a_characteristic_naming_an_unknown_data_set_is_refused(tmp_path):
    path = write(tmp_path, weighted=True)
    path.write_text(path.read_text().replace('datasets = ["events"]', 'datasets = ["evnets"]'), encoding="utf-8")
    with pytest.raises(SpecError, match="evnets"):
        load_spec(path)
