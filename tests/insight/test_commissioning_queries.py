"""The commissioning queries: right against a plain pandas count, suppressed, and identical on DuckDB and PySpark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from carehub.insight.commissioning import protect, queries
from carehub.insight.commissioning.settings import Settings
from carehub.insight.commissioning.waits import summarise
from carehub.insight.equality.backends import connect
from carehub.synthetic.demand import monthly_series, referral_extract


@pytest.fixture(scope="module")
def extract_dir(tmp_path_factory):
    series = monthly_series(
        seed=3, months=24, start="2023-01", surge=("2023-04", 3, 0.2), recording_break=("2024-06", 0.0), base=120.0
    )
    folder = tmp_path_factory.mktemp("commissioning")
    for name, table in referral_extract(series, seed=4).items():
        pq.write_table(table, folder / f"{name}.parquet")
    return folder


@pytest.fixture(scope="module")
def rows(extract_dir):
    return pq.read_table(extract_dir / "referrals.parquet").to_pandas()


@pytest.fixture(scope="module")
def tables(extract_dir):
    return queries.open_extract(extract_dir)


def test_monthly_demand_counts_referrals_and_people(tables, rows):
    demand = queries.monthly_demand(tables["referrals"])
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
    counts = queries.wait_counts(tables["referrals"], "offer")
    days = rows.days_to_offer.to_numpy()
    done = ~np.isnan(days)
    times = np.floor(np.where(done, days, rows.days_observed.to_numpy()))
    assert counts.women.sum() == len(rows)
    assert int(counts[~counts.finished].women.sum()) == int((~done).sum()) > 0
    grouped = summarise("offer", counts.days.to_numpy(), counts.finished.to_numpy(), counts.women.to_numpy())
    direct = summarise("offer", times, done)
    assert (grouped.median, grouped.p90, grouped.median_ci) == (direct.median, direct.p90, direct.median_ci)


def test_waiting_list_counts_women_not_yet_allocated_at_month_end(tables, rows):
    result = queries.waiting_list(tables["referrals"]).set_index("month").waiting
    end = pd.Timestamp("2023-06-30 23:59:59", tz="UTC")
    received = rows.received_at <= end
    allocated = rows.received_at + pd.to_timedelta(np.ceil(rows.days_to_allocation), unit="D")
    waiting = received & (rows.days_to_allocation.isna() | (allocated >= pd.Timestamp("2023-07-01", tz="UTC")))
    assert result["2023-06"] == int(waiting.sum())


def test_by_and_for_share_and_declines(tables, rows, extract_dir):
    share = queries.by_and_for(tables["referrals"])
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
    demand = queries.monthly_demand(tables["referrals"], "need")
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
        lambda t: queries.monthly_demand(t["referrals"], "channel"),
        lambda t: queries.wait_counts(t["referrals"], "allocation"),
        lambda t: queries.waiting_list(t["referrals"]),
        lambda t: queries.declines(t["offers"]),
        lambda t: pd.DataFrame([queries.by_and_for(t["referrals"]), queries.repeat_share(t["referrals"])]),
    ):
        pd.testing.assert_frame_equal(run(on_duckdb), run(on_spark), check_dtype=False)
