"""Demand per 10,000 adult women (exact Poisson intervals against known answers, suppression, the norms as settings)
and the filtered views (the same figures as computing on the rows the filter keeps; unknown values refused)."""

from __future__ import annotations

import dataclasses

import ibis
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from carehub.insight.commissioning import demand, protect, queries, views
from carehub.insight.commissioning.settings import PlanningNorm, Settings
from carehub.insight.commissioning.waits import summarise
from carehub.synthetic.demand import monthly_series, referral_extract
from tests.insight import commissioning_oracles as oracles


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
    keys = [(i * 97 + 13) % 256 for i in range(len(boroughs))]  # fixed record keys, spread over 0..255
    return ibis.memtable(pd.DataFrame({"borough": boroughs, "received_at": days, "record_key": keys}))


def test_borough_rates_against_known_answers_with_small_counts_hidden():
    populations = {"A": 20_000.0, "B": 50_000.0, "C": 10_000.0}
    names = {"A": "Ayton", "B": "Beeton", "C": "Ceeton"}
    settings = Settings(suppression_threshold=10)
    found = oracles.borough_rates(_referrals({"A": 40, "B": 100, "C": 3}), settings, populations, names)
    rows = {r["borough"]: r for r in found["rows"]}
    assert (found["first_month"], found["last_month"]) == ("2024-01", "2024-12")
    most = settings.perturbation_max
    b = rows["B"]["referrals"]
    assert abs(b - 100) <= most  # published: perturbed by at most the bound
    # the rate, its interval and the IDVAs are the published count's: per 10,000 of 50,000 women, a fifth of it
    assert rows["B"]["rate"] == pytest.approx(b / 5)
    assert (rows["B"]["low"], rows["B"]["high"]) == pytest.approx(tuple(x / 5 for x in demand.poisson_interval(b)))
    assert rows["B"]["idvas"] == pytest.approx(b / 100)  # b referrals a year at 100 for each IDVA
    assert rows["B"]["norm_cases"] == 200.0  # 40 per 10,000 of 50,000 women: not a count, not perturbed
    # C's 3 is hidden, with its rate and IDVAs; A's 40 is shown (perturbed): London's total is perturbed on its own
    # key, so it cannot give C back, and no second cell needs hiding
    assert rows["C"]["referrals"] is None and rows["C"]["rate"] is None and rows["C"]["idvas"] is None
    assert abs(rows["A"]["referrals"] - 40) <= most
    london = rows[demand.ALL_LONDON]
    assert abs(london["referrals"] - 143) <= most and london["rate"] == pytest.approx(london["referrals"] / 8)
    for r in found["rows"]:
        assert r["referrals"] is None or r["referrals"] >= 10
    assert "95% CI" in found["headline"] and "SafeLives" in found["headline"]


def test_the_norms_are_settings_with_their_sources():
    norms = {n.name: n for n in Settings().norms}
    assert norms["marac_cases"].value == 40 and "SafeLives" in norms["marac_cases"].source
    assert norms["idva_caseload"].value == 100 and norms["idva_caseload"].source
    other = Settings(norms=(PlanningNorm("idva_caseload", 80.0, "referrals a year for one IDVA", "a council"),))
    found = oracles.borough_rates(_referrals({"A": 80}), other, {"A": 20_000.0}, {"A": "Ayton"})
    assert found["rows"][0]["idvas"] == pytest.approx(found["rows"][0]["referrals"] / 80)
    assert abs(found["rows"][0]["referrals"] - 80) <= other.perturbation_max and found["rows"][0]["norm_cases"] is None
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
    most = settings.perturbation_max  # published counts are within the bound of the exact ones, never further
    assert len(view["demand"]["monthly"]) == 12
    assert abs(view["demand"]["total"] - len(kept)) <= most
    allocation = summarise(
        "allocation", np.floor(kept.days_to_allocation.fillna(kept.days_observed)), kept.days_to_allocation.notna()
    )
    assert view["waits"]["stages"]["allocation"]["median"] == allocation.median
    assert abs(view["waits"]["stages"]["allocation"]["people"] - len(kept)) <= most
    # the same women through two paths (the monthly total and the rates table): the same published number
    assert view["demand"]["rates"]["rows"][0]["referrals"] == view["demand"]["total"]
    offers = extract[0]["offers"].to_pandas()
    wide = views.view(found, views.Filters(service_type="idva"), settings)  # declines big enough to be shown
    idva = offers[offers.referral_key.isin(rows[rows.need == "idva"].referral_key) & (offers.service_type == "idva")]
    raw = idva[idva.status == "declined"].decline_reason.value_counts()
    shown = [d for d in wide["unmet"]["declines"] if d["service_type"] == "idva"]
    assert shown and all(abs(d["offers"] - len(idva)) <= most for d in shown)
    assert all(d["declines"] is None or abs(d["declines"] - raw.get(d["reason"], 0)) <= most for d in shown)
    assert all(d["per_100_offers"] is None or d["per_100_offers"] == 100 * d["declines"] / d["offers"] for d in shown)
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
    """The same women give the same published number through the view's count tables as through the run's queries:
    the cell keys agree, so the changes do too (and asking again gives the same number, nothing to average)."""
    tables, found, _ = extract
    settings = Settings(suppression_threshold=1)
    view = views.view(found, views.Filters(), settings)
    monthly = oracles.monthly_demand(tables["referrals"])
    published = [protect.publish(n, k, settings) for n, k in zip(monthly.referrals, monthly.ckey, strict=True)]
    assert [m["referrals"] for m in view["demand"]["monthly"]] == published
    assert published != monthly.referrals.tolist()  # perturbed: some months moved
    assert all(abs(p - n) <= settings.perturbation_max for p, n in zip(published, monthly.referrals, strict=True))
    waiting = oracles.waiting_list(tables["referrals"], "allocation")
    expected = [protect.publish(n, k, settings) for n, k in zip(waiting.waiting, waiting.ckey, strict=True)]
    assert [w["waiting"] for w in view["waits"]["waiting_list"]] == expected
    assert views.view(found, views.Filters(), settings) == view


def test_borough_rates_from_the_demand_cube_are_the_querys_published_rates(extract):
    """The run's rates come from the demand cube's cells, summed with their keys: the same published counts, rates
    and intervals as the borough query's, hidden boroughs included."""
    tables, _, rows = extract
    settings = Settings(suppression_threshold=10)
    cube = queries.demand_cube(tables["referrals"])
    found = demand.borough_rates_from_cube(cube, settings)
    assert found == oracles.borough_rates(tables["referrals"], settings)
    window = rows[rows.received_at.dt.strftime("%Y-%m") >= found["first_month"]]
    exact = window.groupby("borough").size()
    shown = {r["borough"]: r["referrals"] for r in found["rows"] if r["borough"] in exact.index}
    assert all(shown[b] is None or abs(shown[b] - exact[b]) <= settings.perturbation_max for b in shown)
    assert any(shown[b] != exact[b] for b in shown if shown[b] is not None)  # perturbed, not the exact counts


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
    assert oracles.borough_rates(tables["referrals"], settings) == oracles.borough_rates(
        on_spark_tables["referrals"], settings
    )


def _with_service_keys(extract_dir, folder, *, on_offers: bool):
    """The extract with referrals routed to services "A" and "B" and, when `on_offers`, each offer keyed by the
    service that made it, drawn apart from the routing (so the two can be told apart)."""
    import pyarrow as pa

    referrals = pq.read_table(extract_dir / "referrals.parquet")
    routed = np.random.default_rng(7).choice(["A", "B"], referrals.num_rows, p=[0.7, 0.3])
    pq.write_table(referrals.append_column("service_key", pa.array(routed)), folder / "referrals.parquet")
    offers = pq.read_table(extract_dir / "offers.parquet")
    if on_offers:
        made = np.random.default_rng(8).choice(["A", "B"], offers.num_rows, p=[0.3, 0.7])
        offers = offers.append_column("service_key", pa.array(made))
    pq.write_table(offers, folder / "offers.parquet")
    return queries.open_extract(folder)


def test_a_services_declines_are_the_offers_it_made_each_published_by_its_cell_key(extract_dir, tmp_path):
    tables = _with_service_keys(extract_dir, tmp_path, on_offers=True)
    found = views.counts(tables, ["service_key"])
    settings = Settings(suppression_threshold=10)
    view = views.view(found, views.Filters(service="A"), settings)
    offers = tables["offers"].to_pandas()
    mine = offers[offers.service_key == "A"]
    routed = tables["referrals"].to_pandas()
    routed_offers = offers[offers.referral_key.isin(routed[routed.service_key == "A"].referral_key)]
    assert len(routed_offers) != len(mine)  # the two readings differ: the test can tell which was used
    most = settings.perturbation_max
    shown = view["unmet"]["declines"]
    assert shown and {d["service_type"] for d in shown} <= {*mine.service_type, queries.TOTAL}
    for d in shown:
        of_type = mine if d["service_type"] == queries.TOTAL else mine[mine.service_type == d["service_type"]]
        declined = (of_type[of_type.status == "declined"].decline_reason == d["reason"]).sum()
        exact_offers = protect.publish(
            len(of_type), protect.cell_key(of_type.record_key.to_numpy()), settings
        )  # the same women, the same published number as any other view of them
        assert d["offers"] == exact_offers and abs(d["offers"] - len(of_type)) <= most
        assert d["declines"] is None or abs(d["declines"] - declined) <= most
        if d["declines"] is not None:
            assert d["declines"] == protect.publish(
                int(declined),
                protect.cell_key(of_type[(of_type.status == "declined") & (of_type.decline_reason == d["reason"])]
                                 .record_key.to_numpy()),
                settings,
            )  # fmt: skip
    assert any(d["declines"] is not None for d in shown)


def test_offers_without_a_service_key_give_no_declines_for_a_service(extract_dir, tmp_path):
    tables = _with_service_keys(extract_dir, tmp_path, on_offers=False)
    found = views.counts(tables, ["service_key"])
    assert found["declines"].empty
    view = views.view(found, views.Filters(service="A"), Settings(suppression_threshold=10))
    assert view["unmet"]["declines"] == [] and view["demand"]["total"] is not None
    # 30 months, none hidden: too short for the run's forecast (four years), so none rather than a guess
    assert len(view["demand"]["monthly"]) == 30 and all(m["referrals"] for m in view["demand"]["monthly"])
    assert view["forecast"] is None


def test_a_services_forecast_is_the_runs_forecast_of_its_months_rounded_and_hidden_when_small(tmp_path):
    """The same forecast function as London's on her service's exact monthly counts, published in whole referrals;
    none for a service whose recent months are hidden, nor for a series shorter than four years."""
    import pyarrow as pa

    from carehub.insight.commissioning.run import _forecast

    series = monthly_series(seed=9, months=60, start="2020-01", base=120.0)
    tables = referral_extract(series, seed=10)
    referrals = tables["referrals"]
    routed = np.random.default_rng(11).choice(["big", "small"], referrals.num_rows, p=[0.97, 0.03])
    pq.write_table(referrals.append_column("service_key", pa.array(routed)), tmp_path / "referrals.parquet")
    found = views.counts(queries.open_extract(tmp_path), ["service_key"])
    settings = Settings(suppression_threshold=10, backtest_origins=2)
    big = views.view(found, views.Filters(service="big"), settings)
    demand = found["demand"][found["demand"].service_key == "big"].sort_values("month")
    exact = [
        {"month": views._label(int(m)), "referrals": int(n)}
        for m, n in zip(demand.month, demand.referrals, strict=True)
    ]
    expected = _forecast(exact, settings)
    assert big["forecast"]["model"] == expected["model"] and len(big["forecast"]["months"]) == 12
    for shown, fitted in zip(big["forecast"]["months"], expected["months"], strict=True):
        assert shown["month"] == fitted["month"]
        for key in ("mean", "lower80", "upper80", "lower95", "upper95"):
            assert shown[key] == round(fitted[key]) and isinstance(shown[key], int)
        assert shown["lower95"] <= shown["lower80"] <= shown["mean"] <= shown["upper80"] <= shown["upper95"]
    assert "flags" not in big["forecast"] and "sigma" not in big["forecast"]["months"][0]
    small = views.view(found, views.Filters(service="small"), settings)
    assert any(m["referrals"] is None for m in small["demand"]["monthly"][-12:]) and small["forecast"] is None
    last_year = views.view(found, views.Filters(service="big", period="last_12_months"), settings)
    assert "forecast" not in last_year  # a window is too short to fit, and the run's forecast is of the whole series
