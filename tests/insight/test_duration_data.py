"""Loading episodes through Ibis: the first referral after the start and after the end of support, per person."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carehub.insight.duration import DurationError, load, load_spec
from carehub.insight.duration.simulate import Planted, simulate
from carehub.insight.equality.backends import connect

D = dt.date


def _write(folder, episodes: list[dict], referrals: list[tuple[str, dt.datetime]]):
    base = {
        "service_type": "idva", "risk_level": "high", "dash_score": 15, "marac": True, "previous_referrals": 0,
        "needs": 1, "age_band": "25-34", "borough": "Camden", "by_and_for": False, "ethnic_group": "White",
        "disability": "no", "competing_event": None, "competing_on": None,
    }  # fmt: skip
    rows = [{**base, **e} for e in episodes]
    pq.write_table(pa.Table.from_pylist(rows), folder / "episodes.parquet")
    pq.write_table(
        pa.table(
            {
                "survivor_key": [k for k, _ in referrals],
                "received_at": pa.array([t for _, t in referrals], pa.timestamp("us", tz="UTC")),
            }
        ),
        folder / "referrals.parquet",
    )


def test_repeats_are_the_same_persons_referrals_after_the_start_and_after_the_end(tmp_path):
    utc = dt.UTC
    _write(
        tmp_path,
        [
            {"episode_key": "e1", "survivor_key": "a", "started_on": D(2025, 1, 10), "ended_on": D(2025, 4, 1)},
            {"episode_key": "e2", "survivor_key": "b", "started_on": D(2025, 2, 1), "ended_on": None},
            {
                "episode_key": "e3",
                "survivor_key": "c",
                "started_on": D(2025, 3, 1),
                "ended_on": D(2025, 5, 1),
                "competing_event": "moved_away",
                "competing_on": D(2025, 6, 1),
            },
        ],
        [
            ("a", dt.datetime(2025, 1, 2, 9, tzinfo=utc)),  # the referral that began her support: not a repeat
            ("a", dt.datetime(2025, 2, 20, 9, tzinfo=utc)),  # during support: a repeat for the trial
            ("a", dt.datetime(2025, 6, 1, 9, tzinfo=utc)),  # after support ended
            ("b", dt.datetime(2025, 1, 20, 9, tzinfo=utc)),
            ("z", dt.datetime(2025, 3, 1, 9, tzinfo=utc)),  # someone else entirely
        ],
    )
    ep = load(connect("duckdb"), tmp_path, load_spec(), extract_date=D(2025, 12, 31))
    by_person = {int(p): i for i, p in enumerate(ep.person)}
    a, b, c = (by_person[k] for k in range(3))  # person codes follow the sorted keys a, b, c
    assert ep.repeat_day[a] == (D(2025, 2, 20) - D(2025, 1, 10)).days
    assert ep.repeat_after_end[a] == (D(2025, 6, 1) - D(2025, 4, 1)).days
    assert ep.support_days[a] == (D(2025, 4, 1) - D(2025, 1, 10)).days
    assert np.isinf(ep.repeat_day[b]) and ep.open[b] and np.isinf(ep.repeat_after_end[b])
    assert ep.support_days[b] == (D(2025, 12, 31) - D(2025, 2, 1)).days  # still in support: the days so far
    assert ep.competing_kind[c] == "moved_away"
    assert ep.competing_day[c] == (D(2025, 6, 1) - D(2025, 3, 1)).days
    assert ep.admin_day[c] == (D(2025, 12, 31) - D(2025, 3, 1)).days


def test_a_missing_column_is_named(tmp_path):
    _write(tmp_path, [{"episode_key": "e1", "survivor_key": "a", "started_on": D(2025, 1, 1), "ended_on": None}], [])
    table = pq.read_table(tmp_path / "episodes.parquet").drop(["dash_score"])
    pq.write_table(table, tmp_path / "episodes.parquet")
    with pytest.raises(DurationError, match="dash_score"):
        load(connect("duckdb"), tmp_path, load_spec())


def test_the_simulation_is_deterministic_and_its_truth_comes_from_potential_outcomes():
    first, again = simulate(2000, seed=3), simulate(2000, seed=3)
    assert first.truth == again.truth
    assert first.episodes.equals(again.episodes) and first.referrals.equals(again.referrals)
    assert first.truth["risk_difference"] < -0.02  # the planted benefit of 26 weeks
    # No effect of support at all: both strategies give every woman the same outcome, so the truth is exactly 0.
    null = simulate(2000, seed=3, planted=Planted(hazard_ratio=1.0, during_support=1.0))
    assert null.truth["risk_difference"] == 0.0


def test_pyspark_loads_the_same_episodes_as_duckdb(spark, tmp_path):
    simulated = simulate(500, seed=4)
    folder = simulated.write(tmp_path)
    spec = load_spec()
    loaded = [
        load(con, folder, spec, extract_date=simulated.extract_date)
        for con in (connect("duckdb"), connect("pyspark", session=spark))
    ]

    def rows(ep):  # rows come back in any order; person codes differ between backends, the days do not
        columns = (ep.support_days, ep.repeat_day, ep.repeat_after_end, ep.competing_day, ep.admin_day, ep.open)
        return sorted(zip(*columns, strict=True))

    assert rows(loaded[0]) == rows(loaded[1])
    assert len(loaded[0]) == 500
