"""Demand per 10,000 adult women (exact Poisson intervals against known answers, suppression, the norms as settings)
and the filtered views (the same figures as computing on the rows the filter keeps; unknown values refused)."""

from __future__ import annotations

import dataclasses

import ibis
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from carehub.insight.commissioning import demand, queries, views
from carehub.insight.commissioning.settings import PlanningNorm, Settings
from carehub.insight.commissioning.waits import summarise
from carehub.synthetic.demand import monthly_series, referral_extract


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # Exact (Garwood) 95% limits for a Poisson count, as tabulated (e.g. Ulm 1990; OpenEpi's exact Poisson CI)
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (5, 1.623, 11.668), (10, 4.795, 18.390), (100, 81.364, 121.627)],
)
def test_the_poisson_interval_is_the_exact_one(count, low, high):
    found = demand.poisson_interval(count)
    assert found == pytest.approx((low, high), abs=1e-3)


def test_a_rate_per_10000_scales_the_count_and_its_interval():
    found = demand.rate(10, 20_000)
    assert found.rate == 5.0
    assert (found.low, found.high) == pytest.approx((2.3977, 9.1952), abs=1e-4)
    # Per year over two years of people: the same count is half the yearly rate
    assert demand.rate(10, 40_000).rate == 2.5
    with pytest.raises(ValueError):
        demand.rate(3, 0)


def test_the_census_gives_every_london_borough_its_adult_women():
    settings = Settings()
    women = demand.adult_women(settings)
    assert len(women) == 33
    assert sum(women.values()) == pytest.approx(8_799_928 * settings.adult_women_share)
    assert demand.borough_names(settings)["E09000003"] == "Barnet"


def _referrals(per_borough: dict[str, int]) -> ibis.Table:
    boroughs = [b for b, n in per_borough.items() for _ in range(n)]
    days = pd.date_range("2024-01-01", "2024-12-31", periods=len(boroughs), tz="UTC").floor("s")
    return ibis.memtable(pd.DataFrame({"borough": boroughs, "received_at": days}))


def test_borough_rates_against_known_answers_with_small_counts_hidden():
    populations = {"A": 20_000.0, "B": 50_000.0, "C": 10_000.0}
    names = {"A": "Ayton", "B": "Beeton", "C": "Ceeton"}
    settings = Settings(suppression_threshold=10)
    found = demand.borough_rates(_referrals({"A": 40, "B": 100, "C": 3}), settings, populations, names)
    rows = {r["borough"]: r for r in found["rows"]}
    assert (found["first_month"], found["last_month"]) == ("2024-01", "2024-12")
    assert rows["B"]["rate"] == 20.0 and rows["B"]["referrals"] == 100
    assert (rows["B"]["low"], rows["B"]["high"]) == pytest.approx(
        tuple(x / 5 for x in demand.poisson_interval(100))  # per 10,000 of 50,000 women: a fifth of the count
    )
    assert rows["B"]["idvas"] == 1.0  # 100 referrals a year at 100 for each IDVA
    assert rows["B"]["norm_cases"] == 200.0  # 40 per 10,000 of 50,000 women
    # C's 3 is hidden, and so is the next smallest (A's 40), so that London's total cannot give it back
    assert rows["C"]["referrals"] is None and rows["C"]["rate"] is None and rows["C"]["idvas"] is None
    assert rows["A"]["referrals"] is None and rows["A"]["rate"] is None
    london = rows[demand.ALL_LONDON]
    assert london["referrals"] == 143 and london["rate"] == pytest.approx(143 / 8)  # 80,000 women
    for r in found["rows"]:
        assert r["referrals"] is None or r["referrals"] >= 10
    assert "95% CI" in found["headline"] and "SafeLives" in found["headline"]


def test_the_norms_are_settings_with_their_sources():
    norms = {n.name: n for n in Settings().norms}
    assert norms["marac_cases"].value == 40 and "SafeLives" in norms["marac_cases"].source
    assert norms["idva_caseload"].value == 100 and norms["idva_caseload"].source
    other = Settings(norms=(PlanningNorm("idva_caseload", 80.0, "referrals a year for one IDVA", "a council"),))
    found = demand.borough_rates(_referrals({"A": 80}), other, {"A": 20_000.0}, {"A": "Ayton"})
    assert found["rows"][0]["idvas"] == 1.0 and found["rows"][0]["norm_cases"] is None
    assert found["norms"] == {"idva_caseload": dataclasses.asdict(other.norms[0])}


@pytest.fixture(scope="module")
def extract_dir(tmp_path_factory):
    series = monthly_series(
        seed=5, months=30, start="2022-07", surge=("2023-04", 3, 0.2), recording_break=("2024-06", 0.0), base=150.0
    )
    folder = tmp_path_factory.mktemp("views")
    for name, table in referral_extract(series, seed=6).items():
        pq.write_table(table, folder / f"{name}.parquet")
    return folder


@pytest.fixture(scope="module")
def extract(extract_dir):
    tables = queries.open_extract(extract_dir)
    rows = pq.read_table(extract_dir / "referrals.parquet").to_pandas()
    return tables, views.counts(tables, ["borough", "need"]), rows


def test_a_filtered_view_is_the_figures_of_the_rows_it_keeps(extract):
    _, found, rows = extract
    settings = Settings(suppression_threshold=10)
    borough = rows.borough.value_counts().index[0]
    view = views.view(found, views.Filters(borough=borough, service_type="idva", period="last_12_months"), settings)
    last = rows.received_at.max()
    start = pd.Timestamp(year=last.year - 1, month=last.month, day=1, tz="UTC") + pd.offsets.MonthBegin(1)
    kept = rows[(rows.borough == borough) & (rows.need == "idva") & (rows.received_at >= start)]
    assert len(view["demand"]["monthly"]) == 12
    assert view["demand"]["total"] == len(kept)
    allocation = summarise(
        "allocation", np.floor(kept.days_to_allocation.fillna(kept.days_observed)), kept.days_to_allocation.notna()
    )
    assert view["waits"]["stages"]["allocation"]["median"] == allocation.median
    assert view["waits"]["stages"]["allocation"]["people"] == len(kept)
    assert view["demand"]["rates"]["rows"][0]["referrals"] == len(kept)
    offers = extract[0]["offers"].to_pandas()
    wide = views.view(found, views.Filters(service_type="idva"), settings)  # declines big enough to be shown
    idva = offers[offers.referral_key.isin(rows[rows.need == "idva"].referral_key) & (offers.service_type == "idva")]
    raw = idva[idva.status == "declined"].decline_reason.value_counts()
    shown = [d for d in wide["unmet"]["declines"] if d["service_type"] == "idva"]
    assert shown and all(d["offers"] == len(idva) for d in shown)
    assert all(d["declines"] in (None, raw.get(d["reason"], 0)) for d in shown)
    assert any(d["declines"] is not None for d in shown)
    assert {d["service_type"] for d in view["unmet"]["declines"]} <= {"idva", queries.TOTAL}


def test_every_figure_of_a_filtered_view_is_suppressed(extract):
    _, found, _ = extract
    settings = Settings(suppression_threshold=25)
    view = views.view(found, views.Filters(service_type="refuge", period="last_12_months"), settings)
    cells = [m["referrals"] for m in view["demand"]["monthly"]] + [view["demand"]["total"]]
    cells += [r["referrals"] for r in view["demand"]["rates"]["rows"]]
    cells += [w["waiting"] for w in view["waits"]["waiting_list"]]
    cells += [d["declines"] for d in view["unmet"]["declines"]]
    cells += [s["still_waiting"] for s in view["waits"]["stages"].values()]
    assert any(c is None for c in cells)
    assert all(c is None or c >= 25 for c in cells)
    tiny = views.view(
        found, views.Filters(borough="E09000001", service_type="refuge", period="last_12_months"), settings
    )
    assert all(s["median"] is None for s in tiny["waits"]["stages"].values())  # under 25 women: no wait figures


def test_the_unfiltered_view_is_the_whole_run(extract):
    tables, found, _ = extract
    view = views.view(found, views.Filters(), Settings(suppression_threshold=1))
    monthly = queries.monthly_demand(tables["referrals"])
    assert [m["referrals"] for m in view["demand"]["monthly"]] == monthly.referrals.tolist()
    waiting = queries.waiting_list(tables["referrals"], "allocation")
    assert [w["waiting"] for w in view["waits"]["waiting_list"]] == waiting.waiting.tolist()


@pytest.mark.parametrize(
    "filters", [views.Filters(borough="E99999999"), views.Filters(service_type="spa"), views.Filters(period="1999")]
)
def test_an_unknown_filter_value_is_refused_by_name(extract, filters):
    _, found, _ = extract
    with pytest.raises(views.UnknownFilter, match="There is no"):
        views.view(found, filters, Settings())


@pytest.mark.slow
def test_the_count_tables_and_rates_are_identical_on_pyspark(spark, extract, extract_dir):
    from carehub.insight.equality.backends import connect

    tables, on_duckdb, _ = extract
    on_spark_tables = queries.open_extract(extract_dir, connect("pyspark", session=spark))
    on_spark = views.counts(on_spark_tables, ["borough", "need"])
    for name, frame in on_duckdb.items():
        order = sorted(frame.columns)
        left = frame[order].sort_values(order, kind="stable").reset_index(drop=True)
        right = on_spark[name][order].sort_values(order, kind="stable").reset_index(drop=True)
        pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=name)
    settings = Settings()
    assert demand.borough_rates(tables["referrals"], settings) == demand.borough_rates(
        on_spark_tables["referrals"], settings
    )
