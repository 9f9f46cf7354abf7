"""A whole commissioning run: findings in plain words with their uncertainty, the three outputs, and suppression on
every published table."""

from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carehub.insight.commissioning import capacity, run
from carehub.insight.commissioning.settings import ChangePoint, Settings
from carehub.synthetic.demand import monthly_series, referral_extract

THRESHOLD = 40  # high, so this small extract has small cells to hide


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    series = monthly_series(seed=1, base=90.0)
    folder = tmp_path_factory.mktemp("run")
    for name, table in referral_extract(series, seed=2).items():
        pq.write_table(table, folder / f"{name}.parquet")
    settings = Settings(
        change_points=(ChangePoint(series.plants.break_month, "adjust", "planted recording break"),),
        backtest_origins=2,
        suppression_threshold=THRESHOLD,
    )
    return run.run(folder, folder / "out", settings=settings), folder / "out"


# The directory as `carehub extract` writes it: two IDVA services (one with no FTE recorded), one each of counselling
# and helpline, and a refuge with none recorded.
DIRECTORY = {
    "service_key": ["s-idva-1", "s-idva-2", "s-counselling", "s-helpline", "s-refuge"],
    "service_type": ["idva", "idva", "counselling", "helpline", "refuge"],
    "caseworker_fte": [3.0, None, 2.0, 9.0, None],
    "capacity": [40, 40, 30, 20, 10],
    "accepting_referrals": [True] * 5,
}


@pytest.fixture(scope="module")
def with_directory(tmp_path_factory):
    """The same extract with its services table: capacity against today's FTE."""
    series = monthly_series(seed=1, base=90.0)
    folder = tmp_path_factory.mktemp("run-directory")
    for name, table in referral_extract(series, seed=2).items():
        pq.write_table(table, folder / f"{name}.parquet")
    pq.write_table(pa.table(DIRECTORY), folder / "services.parquet")
    settings = Settings(
        change_points=(ChangePoint(series.plants.break_month, "adjust", "planted recording break"),),
        backtest_origins=2,
        suppression_threshold=THRESHOLD,
    )
    return run.run(folder, folder / "out", settings=settings), folder / "out"


def test_todays_fte_is_the_directorys_sum_per_type_with_not_recorded_named_not_zero(with_directory):
    found = with_directory[0]["capacity"]
    assert found["today_recorded"]
    types = found["by_service_type"]
    idva, refuge = types["idva"], types["refuge"]
    assert idva["today"] == {"fte": 3.0, "services": 2, "recorded": 1, "not_recorded": ["s-idva-2"]}
    assert idva["start"] == "today" and idva["fte"] == 3.0  # the scenario page starts from today's
    assert refuge["today"]["recorded"] == 0 and refuge["today"]["not_recorded"] == ["s-refuge"]
    assert refuge["gap_fte"] is None and refuge["projection"] is None  # not a gap against zero caseworkers
    assert refuge["start"] == "needed" and refuge["fte"] == refuge["needed"]["fte"]
    assert found["total"]["not_recorded_types"] == ["refuge"] and found["total"]["not_recorded_services"] == 2


def test_the_gap_is_needed_minus_today_never_negative_and_costed(with_directory):
    found = with_directory[0]["capacity"]
    recorded = {t: v for t, v in found["by_service_type"].items() if v["today"]["recorded"]}
    for v in recorded.values():
        difference = v["needed"]["fte"] - v["today"]["fte"]
        assert v["gap_fte"] == pytest.approx(max(difference, 0)) and v["surplus_fte"] == pytest.approx(
            max(-difference, 0)
        )
        assert v["gap_cost"] == v["gap_fte"] * found["cost_per_fte"]
        assert v["needed"]["probability_met"] >= 0.9
        assert [w["month"] for w in v["projection"]["waiting"]] == found["months"] and len(found["months"]) == 12
        assert all(w["low"] <= w["median"] <= w["high"] for w in v["projection"]["waiting"])
    assert recorded["helpline"]["surplus_fte"] > 0 and recorded["helpline"]["gap_fte"] == 0  # 9 FTE: more than enough
    assert recorded["idva"]["gap_fte"] > 0
    short = recorded["idva"]["projection"]  # fewer caseworkers than needed: the target is missed more often
    assert short["probability_met"] < 0.9 and short["p90_wait"]["median"] > found["target_days"]
    total = found["total"]
    assert total["gap_fte"] == pytest.approx(sum(v["gap_fte"] for v in recorded.values()))  # no surplus netted off
    assert total["today_fte"] == 14.0 and total["gap_cost"] == total["gap_fte"] * found["cost_per_fte"]


def test_the_gap_is_said_in_words_and_shown_in_the_report_chart_first(with_directory):
    document, out = with_directory
    said = document["findings"][-1]
    assert said.startswith("To keep nine in ten waits for a caseworker under 14 days with 90% probability, IDVA needs")
    assert "than the 3.0 recorded today (1 of its 2 services have none recorded)" in said
    assert "in 8 of 10 likely futures" in said and "not recorded for refuge" in said
    assert {"capacity", "projection"} <= set(document["charts"])
    report = (out / "report.html").read_text()
    assert report.index("Capacity and the funding gap") < report.index("<svg") < report.index("Recorded today")
    lines = list(csv.reader((out / "results.csv").open()))
    gap = {(r[1], r[3]): r[4] for r in lines if r[0] == "capacity_by_service_type"}
    assert gap[("refuge", "today_fte")] == "" and gap[("idva", "today_fte")] == "3.0"
    assert {r[0] for r in lines} >= {"projected_waiting_list", "capacity_total"}


def test_a_service_types_fte_changes_its_projection(with_directory):
    """Today's FTE is an input, not a setting: more caseworkers, shorter projected waits and a smaller gap."""
    found = with_directory[0]["capacity"]
    idva = found["by_service_type"]["idva"]
    settings = Settings(backtest_origins=2)
    more = capacity.service_type_gap(
        idva, {**idva["today"], "fte": 6.0}, log_sd=found["log_sd"], months=found["months"], settings=settings
    )
    assert more["fte"] == 6.0 and more["gap_fte"] == idva["gap_fte"] - 3.0
    assert more["projection"]["p90_wait"]["median"] < idva["projection"]["p90_wait"]["median"]
    assert more["projection"]["waiting"][-1]["median"] < idva["projection"]["waiting"][-1]["median"]


def test_without_the_services_table_capacity_falls_back_and_says_so(results):
    document, out = results
    found = document["capacity"]
    assert found["today_recorded"] is False and "total" not in found
    assert all(v["start"] == "shared" for v in found["by_service_type"].values())
    assert "today's FTE is not recorded in this extract" in document["findings"][-1]
    assert "Today's FTE not recorded" in (out / "report.html").read_text()
    assert not {"capacity", "projection"} & set(document["charts"])


def test_findings_are_three_to_six_sentences_with_uncertainty(results):
    document, _ = results
    said = document["findings"]
    assert 3 <= len(said) <= 6
    assert said[0].startswith("Referrals rose") and "95% CI" in said[0]
    assert any("prediction interval" in s for s in said)
    assert any("still waiting" in s for s in said)
    assert any("by and for" in s and "95% CI" in s for s in said)
    assert "full-time caseworkers" in said[-1] and "a year at" in said[-1]


def test_capacity_meets_the_wait_target_with_the_asked_probability(results):
    capacity = results[0]["capacity"]
    assert capacity["probability_met"] >= capacity["probability"] == 0.9
    assert capacity["cost"] == capacity["fte"] * capacity["cost_per_fte"]


def test_the_outputs_are_written_and_agree(results):
    document, out = results
    on_disk = json.loads((out / "results.json").read_text())
    assert on_disk["findings"] == document["findings"]
    lines = list(csv.reader((out / "results.csv").open()))
    assert lines[0] == ["table", "key", "subkey", "measure", "value"]
    assert {line[0] for line in lines[1:]} >= {"demand", "forecast", "waits", "declines", "waiting_list"}
    report = (out / "report.html").read_text()
    assert document["findings"][0] in report and "<script" not in report
    assert "per 10,000 adult women" in report and "SafeLives" in report
    assert {line[0] for line in lines[1:]} >= {"demand_per_10000_adult_women"}


def test_suppression_holds_on_every_published_table(results):
    document, _ = results
    cells = [c["referrals"] for table in document["demand"]["by"].values() for c in table]
    cells += [d["declines"] for d in document["unmet"]["declines"]]
    rates = document["demand"]["rates"]["rows"]
    cells += [r["referrals"] for r in rates]
    assert all(r["rate"] is None and r["low"] is None for r in rates if r["referrals"] is None)
    drawn = [row for rows in document["charts"]["rates"]["datasets"].values() for row in rows if "rate" in row]
    assert drawn and all(row["referrals"] >= THRESHOLD for row in drawn)  # a hidden borough is not drawn
    assert len(drawn) == sum(r["rate"] is not None for r in rates)
    assert any(c is None for c in cells), "the small extract has small cells to hide"
    assert all(c is None or c >= THRESHOLD for c in cells)
    charted = document["charts"]["declines"]["data"]["values"]
    assert all(v["per_100"] is not None for v in charted)
    assert len(charted) == sum(d["declines"] is not None for d in document["unmet"]["declines"])


COUNTS = {"referrals", "people", "repeat_people", "asked", "offered", "declines", "offers", "waiting", "still_waiting",
          "total", "observed", "last", "before"}  # fmt: skip


def _published_counts(node, found: list) -> list:
    """Every count results.json publishes, wherever it sits (charts and forecasts are not counts)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in COUNTS and (value is None or isinstance(value, int)):
                found.append(value)
            elif key not in ("charts", "forecast", "capacity"):
                _published_counts(value, found)
    elif isinstance(node, list):
        for item in node:
            _published_counts(item, found)
    return found


def test_no_published_count_lies_under_the_threshold_and_the_reader_is_told(results):
    _, out = results
    on_disk = json.loads((out / "results.json").read_text())
    counts = _published_counts(on_disk, [])
    assert len(counts) > 100 and any(c is None for c in counts)
    assert not [c for c in counts if c is not None and 1 <= c < THRESHOLD]
    for flag in on_disk["forecast"]["flags"]:  # a flagged month's count is the published one
        month = next(m for m in on_disk["demand"]["monthly"] if m["month"] == flag["month"])
        assert flag["observed"] == month["referrals"]
    said = "changed by a small random amount (at most 3)"
    assert said in on_disk["suppression"]["sentence"] and said in (out / "report.html").read_text()


def test_london_totals_are_perturbed_on_their_own_keys(results):
    """London's total is published, within the bound of the exact total, while small boroughs are hidden (no longer
    hiding a second borough: London's total has its own change, so it does not give the hidden one back)."""
    document, out = results
    rows = document["demand"]["rates"]["rows"]
    london = next(r for r in rows if r["borough"] == "all")
    received = pq.read_table(out.parent / "referrals.parquet").to_pandas().received_at
    first = document["demand"]["rates"]["first_month"]
    exact = int((received.dt.strftime("%Y-%m") >= first).sum())
    assert abs(london["referrals"] - exact) <= 3
    shown = [r["referrals"] for r in rows if r["borough"] != "all" and r["referrals"] is not None]
    assert shown and any(r["referrals"] is None for r in rows)  # some boroughs hidden, London shown
    # the same women (all referrals) through two tables: the same cell key, so the same published number
    totals = [c for c in document["demand"]["by"]["need"] if c["need"] == "total" and c["quarter"] == "total"]
    assert totals[0]["referrals"] == document["demand"]["total"]
    # every referral is in each wait stage (finished or still waiting): the same women, the same published number
    assert {s["people"] for s in document["waits"]["stages"].values()} == {document["demand"]["total"]}


def test_the_month_the_data_stop_in_is_neither_forecast_from_nor_compared(tmp_path):
    """Data ending on the 4th of December (the demo's end yesterday): December is published, but the forecast is
    fitted to whole months and the year-on-year change compares whole months, so its few days read as no fall."""
    import pandas as pd
    import pyarrow.compute as pc

    from carehub.insight.commissioning import queries

    series = monthly_series(seed=1, base=90.0)
    tables = referral_extract(series, seed=2, end_of_data="2024-12-04")
    end = pa.scalar(pd.Timestamp("2024-12-04", tz="UTC"), pa.timestamp("us", tz="UTC"))
    referrals = tables["referrals"].filter(pc.less(tables["referrals"]["received_at"], end))
    pq.write_table(referrals, tmp_path / "referrals.parquet")
    scanned = run._scan(queries.open_extract(tmp_path))
    assert scanned["end"] == pd.Timestamp("2024-12-04", tz="UTC")
    published, exact = run._demand(scanned, Settings())
    assert published["monthly"][-1]["month"] == "2024-12" and exact[-1]["month"] == "2024-11"
    nov = sum(m["referrals"] for m in exact[-12:])
    assert abs(published["year_on_year"]["last"] - nov) <= 3  # the 12 whole months, perturbed as one count
    whole = pd.DataFrame({"month": ["2024-11", "2024-12"]})
    assert len(run.whole_months(whole, pd.Timestamp("2025-01-01", tz="UTC"))) == 2  # December over: kept
    assert len(run.whole_months(whole, None)) == 2  # no days_observed: every month taken as whole


def test_the_queue_starts_from_todays_waiting_women_and_open_cases_read_in_the_same_pass(tmp_path):
    """The durations' one query also counts, per need, the women not yet allocated at the end of the data and the
    open cases by days in support so far: the same figures pandas finds in the extract; they start the projection
    (exact, so never published: the results hold the simulated spreads only)."""
    import numpy as np

    from carehub.insight.commissioning import queries

    series = monthly_series(seed=1, base=90.0)
    tables = referral_extract(series, seed=2)
    pq.write_table(tables["referrals"], tmp_path / "referrals.parquet")
    scanned = run._scan(queries.open_extract(tmp_path))
    frame = tables["referrals"].to_pandas()
    allocated, closed = frame.days_to_allocation.notna(), frame.support_weeks.notna()
    now = scanned["now"]
    for need, mine in frame.groupby("need"):
        counted = now[now.need == need]
        start = capacity.start_state(now, [need])
        assert start["waiting_now"] == int((~allocated[mine.index]).sum()) > 0
        opened = mine[allocated[mine.index] & ~closed[mine.index]]
        assert counted[counted.state == "open"].n.sum() == len(opened) == start["in_support"].sum()
        elapsed = np.floor(opened.days_observed - opened.days_to_allocation).astype(int)
        assert start["in_support"][elapsed.max()] == (elapsed == elapsed.max()).sum()
    assert scanned["support_days"].n.sum() == int(closed.sum())  # the durations as before


def test_the_projection_under_todays_fte_gives_each_months_wait(with_directory):
    found = with_directory[0]["capacity"]
    idva = found["by_service_type"]["idva"]["projection"]
    assert [m["month"] for m in idva["p90_wait_by_month"]] == found["months"]
    assert all(m["low"] <= m["median"] <= m["high"] for m in idva["p90_wait_by_month"])
    published = json.dumps(with_directory[0])
    assert "waiting_now" not in published and "in_support" not in published  # the exact start stays inside


def test_her_services_forecast_uses_whole_months_only():
    """The data stop on the 4th of the last month: her service's forecast is fitted to the months before it, as the
    run's own is (its few days would read as a fall); without the end of the data every month is taken as whole."""
    import numpy as np
    import pandas as pd

    from carehub.insight.commissioning import views

    months = pd.period_range("2021-01", "2025-12", freq="M")
    index = [p.year * 12 + p.month - 1 for p in months]  # the count tables' month numbers
    counts = np.random.default_rng(3).poisson(120, len(months))
    counts[-1] = 16  # four days of December
    monthly = pd.DataFrame({"referrals": counts}, index=index)
    published = [{"month": str(p), "referrals": int(n)} for p, n in zip(months, counts, strict=True)]
    settings = Settings(backtest_origins=2)
    whole = views.service_forecast(monthly, published, settings, "2025-12-04T00:00:00+00:00")
    before = views.service_forecast(monthly.iloc[:-1], published[:-1], settings)
    partial = views.service_forecast(monthly, published, settings)
    assert whole == before and whole["months"][0]["month"] == "2025-12"  # December forecast, not fitted to
    assert partial["months"][0]["month"] == "2026-01"
    assert whole["months"][1]["mean"] > partial["months"][0]["mean"]  # the partial month read as a fall
    ended = views.service_forecast(monthly, published, settings, "2026-01-01T00:00:00+00:00")
    assert ended == partial  # December over: every month whole


def test_todays_queue_is_published_per_service_type_perturbed_and_hidden_when_small(with_directory, tmp_path):
    """The scenario page starts from today's queue as the results hold it: the women waiting and the open cases as
    published counts (perturbed on their cell keys, hidden under the threshold, so never an exact small count), and
    the open cases' days in support as ten quantiles only when there are enough of them."""
    import pandas as pd

    from carehub.insight.commissioning import protect, queries

    document, out = with_directory
    settings = Settings(suppression_threshold=THRESHOLD)
    folder = out.parent
    scanned = run._scan(queries.open_extract(folder))
    now = scanned["now"]
    for need, v in document["capacity"]["by_service_type"].items():
        mine = now[now.need == need]
        for state, key in (("waiting", "waiting"), ("open", "open")):
            rows = mine[mine.state == state]
            expected = protect.publish(int(rows.n.sum()), protect.cell_key(rows.ckey), settings)
            assert v["queue_now"][key] == expected
            assert expected is None or expected >= THRESHOLD
        tenths = v["queue_now"]["open_days_tenths"]
        assert tenths is None or (len(tenths) == 10 and tenths == sorted(tenths))
    lines = list(csv.reader((out / "results.csv").open()))
    assert any(r[0] == "queue_now" for r in lines)
    # A small queue is hidden, its days too; without cell keys counts are rounded to base 5
    small = pd.DataFrame({"need": ["idva"] * 3, "state": ["waiting", "open", "open"], "days": [0, 4, 9],
                          "n": [3, 2, 5], "ckey": [11, 200, 17]})  # fmt: skip
    hidden = capacity.published_start(small, "idva", settings)
    assert hidden == {"waiting": None, "open": None, "open_days_tenths": None}
    big = small.assign(n=[52, 30, 33]).drop(columns="ckey")
    rounded = capacity.published_start(big, "idva", settings)
    assert rounded["waiting"] == 50 and rounded["open"] == 65
    assert rounded["open_days_tenths"] == [4] * 5 + [9] * 5  # 30 of 63 at 4 days: the first tenths
    assert capacity.published_start(None, "idva", settings)["waiting"] is None
