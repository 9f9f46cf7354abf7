"""The commissioning queries: right against a plain pandas count, suppressed, and identical on DuckDB and PySpark."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carehub.insight.commissioning import capacity, protect, queries
from carehub.insight.commissioning import run as commissioning_run
from carehub.insight.commissioning.settings import Settings
from carehub.insight.commissioning.waits import summarise
from carehub.insight.equality.backends import connect
from carehub.synthetic.demand import monthly_series, referral_extract
from tests.insight import commissioning_oracles as oracles


@pytest.fixture(scope="module")
def extract_dir(tmp_path_factory):
    series = monthly_series(
        seed=3, months=24, start="2023-01", surge=("2023-04", 3, 0.2), recording_break=("2024-06", 0.0), base=120.0
    )
    folder = tmp_path_factory.mktemp("commissioning")
    for name, table in referral_extract(series, seed=4).items():
        pq.write_table(table, folder / f"{name}.parquet")
    services = {
        "service_key": ["a", "b", "c"],
        "service_type": ["idva", "idva", "refuge"],
        "caseworker_fte": [2.5, None, 1.0],
        "capacity": [40, 30, 10],
        "accepting_referrals": [True] * 3,
    }
    pq.write_table(pa.table(services), folder / "services.parquet")
    return folder


@pytest.fixture(scope="module")
def rows(extract_dir):
    return pq.read_table(extract_dir / "referrals.parquet").to_pandas()


@pytest.fixture(scope="module")
def tables(extract_dir):
    return queries.open_extract(extract_dir)


def test_monthly_demand_counts_referrals_and_people(tables, rows):
    demand = oracles.monthly_demand(tables["referrals"])
    month = rows.received_at.dt.strftime("%Y-%m")
    expected = rows.groupby(month).agg(referrals=("referral_key", "size"), people=("survivor_key", "nunique"))
    assert demand.month.tolist() == expected.index.tolist()
    assert demand.referrals.tolist() == expected.referrals.tolist()
    assert demand.people.tolist() == expected.people.tolist()
    # each month's cell key: its referrals' record keys, and its women's person keys counted once each
    assert demand.ckey.tolist() == (rows.groupby(month).record_key.sum() % 256).tolist()
    women = rows.assign(month=month).drop_duplicates(["month", "survivor_key"])
    assert demand.pkey.tolist() == (women.groupby("month").person_record_key.sum() % 256).tolist()


def test_wait_counts_give_the_row_level_kaplan_meier(tables, rows):
    """Counts per whole day give the same medians as the rows, with still-waiting women censored, not dropped."""
    counts = oracles.wait_counts(tables["referrals"], "offer")
    days = rows.days_to_offer.to_numpy()
    done = ~np.isnan(days)
    times = np.floor(np.where(done, days, rows.days_observed.to_numpy()))
    assert counts.women.sum() == len(rows)
    assert int(counts[~counts.finished].women.sum()) == int((~done).sum()) > 0
    grouped = summarise("offer", counts.days.to_numpy(), counts.finished.to_numpy(), counts.women.to_numpy())
    direct = summarise("offer", times, done)
    assert (grouped.median, grouped.p90, grouped.median_ci) == (direct.median, direct.p90, direct.median_ci)


def test_waiting_list_counts_women_not_yet_allocated_at_month_end(tables, rows):
    result = oracles.waiting_list(tables["referrals"]).set_index("month").waiting
    end = pd.Timestamp("2023-06-30 23:59:59", tz="UTC")
    received = rows.received_at <= end
    allocated = rows.received_at + pd.to_timedelta(np.ceil(rows.days_to_allocation), unit="D")
    waiting = received & (rows.days_to_allocation.isna() | (allocated >= pd.Timestamp("2023-07-01", tz="UTC")))
    assert result["2023-06"] == int(waiting.sum())


def test_by_and_for_share_and_declines(tables, rows, extract_dir):
    share = oracles.by_and_for(tables["referrals"])
    assert share["asked"] == int(rows.wants_by_and_for.sum())
    assert share["offered"] == int((rows.wants_by_and_for & rows.offered_by_and_for).sum())
    offers = pq.read_table(extract_dir / "offers.parquet").to_pandas()
    declines = queries.declines(tables["offers"])
    assert declines.offers.sum() == len(offers)
    no_capacity = declines[declines.decline_reason == "no_capacity"].offers.sum()
    assert no_capacity == int((offers.decline_reason == "no_capacity").sum())


def test_a_published_table_is_perturbed_within_the_bound_and_hidden_under_the_threshold(tables):
    """Every shown count, totals included, is at least the threshold and within the bound of the exact count; small
    counts are hidden; the cell keys are the records' keys summed mod 256."""
    settings = Settings(suppression_threshold=10)
    demand = oracles.monthly_demand(tables["referrals"], "need")
    demand["quarter"] = demand.month.str[:4]
    published = protect.table(demand, "need", "quarter", "referrals", settings)
    exact = demand.groupby(["need", "quarter"]).referrals.sum()
    shown = published.dropna(subset=["referrals"])
    assert len(shown) and (shown.referrals >= 10).all()
    for r in shown.itertuples(index=False):
        if protect.TOTAL in (r.need, r.quarter):
            continue
        assert abs(r.referrals - exact[(r.need, r.quarter)]) <= settings.perturbation_max
    total = published[(published.need == protect.TOTAL) & (published.quarter == protect.TOTAL)].referrals.iloc[0]
    assert abs(total - demand.referrals.sum()) <= settings.perturbation_max


@pytest.mark.slow
def test_duckdb_and_pyspark_give_identical_results(spark, extract_dir):
    on_duckdb = queries.open_extract(extract_dir)
    on_spark = queries.open_extract(extract_dir, connect("pyspark", session=spark))
    for run in (
        lambda t: oracles.monthly_demand(t["referrals"], "channel"),
        lambda t: oracles.wait_counts(t["referrals"], "allocation"),
        lambda t: oracles.waiting_list(t["referrals"]),
        lambda t: queries.declines(t["offers"]),
        lambda t: pd.DataFrame([oracles.by_and_for(t["referrals"]), oracles.repeat_share(t["referrals"])]),
    ):
        pd.testing.assert_frame_equal(run(on_duckdb), run(on_spark), check_dtype=False)


def test_day_and_month_numbers_are_the_calendar_of_the_timestamps(tables, rows):
    """The integer calendar (epoch microseconds, then civil-from-days) gives the backend's own year and month, leap
    days and the turn of a year included."""
    stamps = pd.to_datetime(
        ["1970-01-01", "2000-02-29 23:59:59.999999", "2000-03-01", "2023-12-31 23:59:59", "2024-01-01", "2100-03-01"],
        utc=True,
        format="ISO8601",
    )
    table = ibis.memtable(pd.DataFrame({"at": stamps}))
    days = queries.day_number(table.at)
    found = table.select(day=days, month=queries.month_number(days)).to_pandas()
    assert found.day.tolist() == [(s - pd.Timestamp("1970-01-01", tz="UTC")).days for s in stamps]
    assert found.month.tolist() == [s.year * 12 + s.month - 1 for s in stamps]
    referrals = tables["referrals"]
    months = referrals.select(m=queries.month_number(queries.day_number(referrals.received_at))).to_pandas().m
    assert sorted(months) == sorted(rows.received_at.dt.year * 12 + rows.received_at.dt.month - 1)


def test_the_demand_cube_and_people_give_every_split_the_per_split_queries_give(tables, rows):
    cube = queries.demand_cube(tables["referrals"], since=rows.received_at.max() - pd.Timedelta(days=365))
    people, repeat = queries.people_by_month(tables["referrals"])
    monthly = oracles.monthly_demand(tables["referrals"])
    assert [queries.month_label(m) for m in people.month] == monthly.month.tolist()
    assert people.people.tolist() == monthly.people.tolist()
    assert cube.groupby("month").referrals.sum().tolist() == monthly.referrals.tolist()
    assert repeat == oracles.repeat_share(tables["referrals"])
    for split in ("channel", "need", "risk_level"):
        direct = oracles.monthly_demand(tables["referrals"], split)
        summed = cube.groupby(["month", split], as_index=False).referrals.sum()
        assert summed.referrals.tolist() == direct.referrals.tolist()
        assert [queries.month_label(m) for m in summed.month] == direct.month.tolist()
    share = oracles.by_and_for(tables["referrals"])
    assert (int(cube.asked.sum()), int(cube.offered.sum())) == (share["asked"], share["offered"])
    recent = rows.received_at > rows.received_at.max() - pd.Timedelta(days=365)
    assert int(cube.recent.sum()) == int(recent.sum()) > 0


def test_the_demand_cube_and_people_carry_the_keys_the_per_split_queries_give(tables, rows):
    """Summing the cube's cells sums their keys: each published count gets the key of exactly the referrals (or
    women) it counts, as its own query would give it, so perturbation is the same whichever way it was counted."""
    cube = queries.demand_cube(tables["referrals"], since=rows.received_at.max() - pd.Timedelta(days=365))
    people, repeat = queries.people_by_month(tables["referrals"])
    monthly = oracles.monthly_demand(tables["referrals"])
    assert (cube.groupby("month").ckey.sum() % 256).tolist() == monthly.ckey.tolist()
    assert people.pkey.tolist() == monthly.pkey.tolist()
    assert (repeat["people_ckey"], repeat["repeat_ckey"]) != (0, 0)
    for split in ("channel", "need", "risk_level"):
        direct = oracles.monthly_demand(tables["referrals"], split)
        summed = cube.groupby(["month", split], as_index=False).ckey.sum()
        assert (summed.ckey % 256).tolist() == direct.ckey.tolist()
    share = oracles.by_and_for(tables["referrals"])
    found = (protect.cell_key(cube.asked_ckey), protect.cell_key(cube.offered_ckey))
    assert found == (share["asked_ckey"], share["offered_ckey"])
    recent = rows.received_at > rows.received_at.max() - pd.Timedelta(days=365)
    assert protect.cell_key(cube.recent_ckey) == int(rows[recent].record_key.sum() % 256)


def test_the_runs_waits_from_the_filter_counts_are_the_direct_ones(tables):
    """The run reads its Kaplan-Meier waits and waiting list off the filters' count tables (all stages in one pass):
    the same counts and cell keys as counting the extract for them directly, so the same figures and the same
    published numbers of women."""
    from carehub.insight.commissioning import run, views

    settings = Settings()
    counted = views.counts(tables, ["borough", "need"])
    months = sorted(counted["demand"].month.unique().tolist())
    found = run._waits(counted, months, settings)
    waits = counted["waits"]
    for stage in queries.STAGES:
        counts = oracles.wait_counts(tables["referrals"], stage)
        summed = waits[waits.stage == stage].groupby(["days", "finished"], as_index=False)[["women", "ckey"]].sum()
        summed["ckey"] %= 256
        pd.testing.assert_frame_equal(summed, counts[["days", "finished", "women", "ckey"]], check_dtype=False)
        direct = summarise(stage, counts.days.to_numpy(), counts.finished.to_numpy(), counts.women.to_numpy())
        shown = found["stages"][stage]
        assert (shown["median"], shown["p90"]) == (direct.median, direct.p90)  # exact: not counts, not perturbed
        assert (shown["median_low"], shown["p90_high"]) == (direct.median_ci[0], direct.p90_ci[1])
        still = counts[~counts.finished]
        assert (shown["people"], shown["still_waiting"]) == (
            protect.publish(direct.people, protect.cell_key(counts.ckey), settings),
            protect.publish(direct.still_waiting, protect.cell_key(still.ckey), settings),
        )
    direct = oracles.waiting_list(tables["referrals"])
    assert found["waiting_list"] == [
        {"month": m, "waiting": protect.publish(n, k, settings)} for m, n, k in direct.itertuples(index=False)
    ]


@pytest.mark.slow
def test_the_run_scan_is_identical_on_pyspark(spark, extract_dir):
    on_duckdb = queries.open_extract(extract_dir)
    on_spark = queries.open_extract(extract_dir, connect("pyspark", session=spark))
    since = pd.Timestamp("2024-06-01", tz="UTC")
    for run in (
        lambda t: queries.demand_cube(t["referrals"], since=since),
        lambda t: queries.people_by_month(t["referrals"])[0],
        lambda t: pd.DataFrame([queries.people_by_month(t["referrals"])[1]]),
        lambda t: commissioning_run._support_days(t["referrals"]),  # durations, and today's queue and open cases
    ):
        left, right = run(on_duckdb), run(on_spark)
        order = sorted(left.columns)
        left = left[order].sort_values(order, kind="stable").reset_index(drop=True)
        right = right[order].sort_values(order, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_dtype=False)
    # Today's FTE from the directory's services: the same on both (not recorded stays None, never 0)
    staffed = [capacity.today_fte(t["services"].to_pandas()) for t in (on_duckdb, on_spark)]
    assert staffed[0] == staffed[1] and staffed[0]["idva"]["not_recorded"] == ["b"]
