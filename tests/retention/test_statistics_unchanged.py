"""A retention run leaves the statistics alone: over the same period, the extract is byte for byte the same before
and after, and so are the equality and commissioning analyses run on it (to the last digit DuckDB's parallel sums
give: floating point within 1e-9, run-time fields left out).

The seeded London (600 referrals up to October 2026) is run for 2033-06-01, when most of it is due.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from django.core.management import call_command

from carehub.extract.writer import extract_write
from carehub.insight.commissioning.run import run as commissioning_run
from carehub.insight.equality.api import run as equality_run
from carehub.people.models import Survivor
from carehub.retention import services

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

END_OF_DATA = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
AS_OF = dt.date(2033, 6, 1)
HUB_SPEC = Path(__file__).resolve().parents[2] / "src" / "carehub" / "insight" / "specs" / "hub.toml"
RUN_TIME_FIELDS = {"generated_at", "seconds"}


def _analyse(folder: Path) -> dict:
    extract = folder / "extract"
    extract_write(out_dir=extract, end_of_data=END_OF_DATA)
    data = {"referrals": str(extract / "referrals.parquet"), "immigration": str(extract / "immigration.parquet")}
    equality_run(HUB_SPEC, data, out_dir=folder / "equality")
    commissioning_run(extract, folder / "commissioning")
    files = {f"extract/{p.name}": p.read_bytes() for p in sorted(extract.glob("*.parquet"))}
    results = {name: json.loads((folder / name / "results.json").read_text()) for name in ("equality", "commissioning")}
    return {"files": files, "results": results}


def _same(a, b, path: str = "") -> list[str]:
    """Where two results documents differ, run-time fields left out and floats compared to 1e-9."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = (set(a) | set(b)) - RUN_TIME_FIELDS
        return [d for k in sorted(keys) for d in _same(a.get(k), b.get(k), f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items, then {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _same(x, y, f"{path}[{i}]")]
    if isinstance(a, float) and isinstance(b, float):
        return [] if math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b)) else [f"{path}: {a} {b}"]
    return [] if a == b else [f"{path}: {a!r} then {b!r}"]


def test_the_analyses_over_the_same_period_are_unchanged_by_a_retention_run(tmp_path):
    call_command("seed", "--referrals", "600", "--seed", "5", "--end-date", "2026-10-31", verbosity=0)
    before = _analyse(tmp_path / "before")
    run = services.retention_run(apply=True, as_of=AS_OF)
    erased = Survivor.objects.filter(erased_at__isnull=False).count()
    assert erased == run.counts["erased"] + run.sealed_counts.get("erased", 0) > 300  # most of London was due
    after = _analyse(tmp_path / "after")
    assert before["files"].keys() == after["files"].keys()
    for name in before["files"]:
        assert before["files"][name] == after["files"][name], name
    for name in ("equality", "commissioning"):
        assert _same(before["results"][name], after["results"][name]) == [], name
