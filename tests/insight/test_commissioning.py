"""Proofs for insight.commissioning: planted surges found, the forecast beats seasonal naive, Kaplan-Meier waits
match lifelines and differ from the naive median, and the queue simulation agrees with Erlang C."""

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from carehub.insight.commissioning import queue
from carehub.insight.commissioning.forecast import adjust_for_breaks, forecast, surge_flags
from carehub.insight.commissioning.settings import DEFAULT_EVENTS, ChangePoint
from carehub.insight.commissioning.waits import kaplan_meier, summarise
from carehub.synthetic.demand import monthly_series, referral_extract


def planted_break(series) -> ChangePoint:
    """The generator's recording break, declared as a council would declare its new system's first month."""
    return ChangePoint(series.plants.break_month, "adjust", "planted recording break")


@pytest.fixture(scope="module")
def series():
    return monthly_series(seed=1)


@pytest.mark.parametrize("seed", range(1, 7))
def test_each_planted_surge_is_flagged_with_few_false_flags(seed):
    """On six seeds: every month of the sustained surge flagged (its first month above), at least three of the
    four tournaments found and named, and at most one flag per three years of months that nothing explains."""
    series = monthly_series(seed=seed)
    found = surge_flags(series.counts, series.months, DEFAULT_EVENTS, change_points=(planted_break(series),))
    flags = {f.month: f for f in found}
    assert flags[series.plants.surge_months[0]].direction == "above"
    assert all(flags.get(month) and flags[month].direction == "above" for month in series.plants.surge_months)
    tournaments = [event for event in DEFAULT_EVENTS if any(month in flags for month in event.months)]
    assert len(tournaments) >= 3
    assert all(flags[month].event for event in tournaments for month in event.months if month in flags)
    planted = set(series.plants.surge_months) | set(series.plants.event_months)
    false = [month for month in flags if month not in planted]
    assert len(false) <= len(series.months) / 36


def test_an_undeclared_recording_break_is_flagged_month_after_month(series):
    """Fitting through a break silently turns the months after it into a run of 'falls': declaring it stops that,
    and the step estimated across it is the planted one."""
    planted = set(series.plants.surge_months) | set(series.plants.event_months)
    undeclared = [f for f in surge_flags(series.counts, series.months, DEFAULT_EVENTS) if f.month not in planted]
    after = [f for f in undeclared if f.month >= series.plants.break_month and f.direction == "below"]
    assert len(after) > len(series.months) / 36
    declared = surge_flags(series.counts, series.months, DEFAULT_EVENTS, change_points=(planted_break(series),))
    surges = tuple(f.month for f in declared)
    _, _, notes = adjust_for_breaks(
        series.counts, series.months, (planted_break(series),), events=DEFAULT_EVENTS, flagged=surges
    )
    assert notes[series.plants.break_month]["level_shift"] == pytest.approx(series.plants.break_size, abs=0.03)


def test_forecast_beats_seasonal_naive_on_rolling_origin_backtest(series):
    result = forecast(
        series.counts, series.months, change_points=(planted_break(series),), events=DEFAULT_EVENTS, origins=4
    )
    assert result.mase < 1
    assert result.adjustment[series.plants.break_month]["mode"] == "adjust"
    assert np.all(result.lower95 < result.lower80) and np.all(result.lower80 < result.mean)
    assert np.all(result.mean < result.upper80) and np.all(result.upper80 < result.upper95)
    assert result.months[0] == "2025-01"


@pytest.fixture(scope="module")
def waits():
    table = referral_extract(
        monthly_series(
            seed=3, months=24, start="2023-01", surge=("2023-04", 3, 0.2), recording_break=("2024-06", 0.0), base=300.0
        ),
        seed=4,
    )["referrals"]
    days = table["days_to_offer"].to_numpy(zero_copy_only=False)
    observed = table["days_observed"].to_numpy()
    done = ~np.isnan(days)
    return np.where(done, days, observed), done


def test_kaplan_meier_matches_lifelines(waits):
    times, done = waits
    ours = kaplan_meier(times, done)
    theirs = KaplanMeierFitter().fit(times, done)
    at = theirs.survival_function_.loc[ours.times].to_numpy().ravel()
    np.testing.assert_allclose(ours.survival, at, rtol=1e-9)
    summary = summarise("offer", times, done)
    assert summary.median == pytest.approx(theirs.median_survival_time_)
    assert summary.p90 == pytest.approx(theirs.percentile(0.1))
    ci = median_survival_times(theirs.confidence_interval_).to_numpy().ravel()
    assert summary.median_ci == pytest.approx((ci[0], ci[1]))


def test_kaplan_meier_median_differs_from_naive_median_when_many_still_wait():
    """Waits that lengthen over time leave the longest still waiting at the end: dropping them shortens the median."""
    rng = np.random.default_rng(5)
    received = rng.uniform(0, 365, 4000)
    wait = rng.exponential(10 + received / 5)
    observed = 365 - received
    done = wait <= observed
    times = np.where(done, wait, observed)
    summary = summarise("offer", times, done)
    assert summary.naive_median < summary.median * 0.9
    assert summary.still_waiting == int((~done).sum())


@pytest.mark.parametrize(("arrival", "servers"), [(0.7, 1), (2.8, 4), (7.0, 10)])
def test_simulated_mean_wait_is_within_3_percent_of_erlang_c(arrival, servers):
    rng = np.random.default_rng(11)
    runs, women, warm_up = 50, 30000, 3000
    arrivals = np.cumsum(rng.exponential(1 / arrival, (runs, women)), axis=1)
    services = rng.exponential(1.0, (runs, women))
    simulated = queue.simulate_waits(arrivals, services, servers)[:, warm_up:].mean()
    assert simulated == pytest.approx(queue.erlang_c_wait(arrival, 1.0, servers), rel=0.03)


def test_fte_needed_meets_the_target_with_the_asked_probability():
    durations = np.random.default_rng(2).exponential(60, 500)
    kwargs = dict(monthly_demand=60, log_sd=0.1, durations_days=durations, caseload=10, target_days=14, runs=60)
    needed = queue.fte_needed(probability=0.9, **kwargs)
    assert needed.probability_under_target >= 0.9
    fewer = queue.project(fte=needed.fte - 0.5, **kwargs)
    assert fewer.probability_under_target < 0.9


@pytest.mark.parametrize(("per_day", "servers"), [(2.0, 45), (0.5, 13)])
def test_the_daily_queue_agrees_with_the_woman_by_woman_simulation(per_day, servers):
    """Counting women day by day (whose cost does not grow with demand) gives the 90th-percentile wait of following
    each woman, to within a day on average over the futures: the daily model's only loss is the time of day."""
    rng = np.random.default_rng(8)
    durations = rng.exponential(20.0, 4000)
    runs, days = 150, 365
    arrivals = queue.poisson_arrivals(rng, np.full(runs, per_day), days)
    waits = queue.simulate_waits(arrivals, rng.choice(durations, arrivals.shape), servers)
    exact = np.nanpercentile(np.where(np.isinf(arrivals), np.nan, waits), 90, axis=1)
    daily = np.zeros((runs, 2 * days), np.int64)
    daily[:, :days] = rng.poisson(per_day, (runs, days))
    starts = queue.daily_queue(rng, daily, queue.duration_shares(durations), servers)
    counted = queue.wait_quantile(daily, starts, 0.9, days)
    assert np.mean(exact) > 3  # a queue worth measuring
    assert abs(np.mean(counted) - np.mean(exact)) <= 1.0


# Spells of about 40 days and 30 women a month keep 40 slots busy: 5 FTE x 10 keep up, with no wait from empty.
START = dict(monthly_demand=30, log_sd=0.05, caseload=10, target_days=14, runs=60, fte=5.0)
START_DURATIONS = np.random.default_rng(4).gamma(2.0, 20.0, 2000)


def test_a_backlog_at_the_start_lengthens_the_first_months_wait():
    """The year under today's FTE starts from today's queue: 60 women already waiting go first, so the first
    month's arrivals wait longer than when the year starts empty (as every projection did before)."""
    empty = queue.project(durations_days=START_DURATIONS, by_month=True, **START)
    backlog = queue.project(durations_days=START_DURATIONS, by_month=True, waiting_now=60, **START)
    first = np.median(empty.p90_by_month[:, 0]), np.median(backlog.p90_by_month[:, 0])
    assert first[0] == 0 and first[1] > 10  # weeks, not a day: 60 women ahead, and few slots free up each day
    assert np.median(backlog.waiting[:, 0]) > np.median(empty.waiting[:, 0])  # and the list at the month's end


def test_open_cases_hold_their_slots_at_the_start():
    """Every slot held by a case opened a week ago: the first arrivals wait for a spell to end; the same slots
    held by cases at the end of their spells (all near the longest closed spell) free almost at once."""
    servers = round(START["fte"] * START["caseload"])
    shares = queue.duration_shares(START_DURATIONS)
    fresh = np.zeros(8, np.int64)
    fresh[7] = servers
    ending = np.zeros(len(shares) - 2, np.int64)
    ending[-1] = servers
    empty = queue.project(durations_days=START_DURATIONS, by_month=True, **START)
    busy = queue.project(durations_days=START_DURATIONS, by_month=True, in_support=fresh, **START)
    nearly = queue.project(durations_days=START_DURATIONS, by_month=True, in_support=ending, **START)
    medians = [float(np.median(p.p90_by_month[:, 0])) for p in (empty, busy, nearly)]
    assert medians[0] == 0 and medians[1] > 2 and medians[2] < medians[1]


def test_open_cases_end_after_the_spells_conditional_on_their_time_in_support():
    """Spells of 10 or 100 days: a case 50 days in can only be a 100-day one, so it ends in 50 days; one 5 days in
    ends in 5 or 95 days in the closed cases' proportions; none is lost (the busy count is the open count)."""
    shares = queue.duration_shares(np.array([10.0] * 3 + [100.0]))
    in_support = np.zeros(51, np.int64)
    in_support[50], in_support[5] = 7, 400
    released = queue.in_support_releases(np.random.default_rng(1), in_support, shares, 30, 200)
    assert (released.sum(axis=1) == 407).all()
    assert set(np.flatnonzero(released.sum(axis=0))) == {5, 50, 95}
    assert released[:, 50].min() >= 7 and released[:, 5].mean() == pytest.approx(300, rel=0.05)


def test_the_fte_search_starts_from_today_and_finds_the_least_that_meets_the_target():
    """With a backlog now the target needs at least the FTE it needs from an empty start, and the search's answer
    is the least on its grid (half an FTE fewer fails), from the same seeded futures."""
    kwargs = dict(START, durations_days=START_DURATIONS)
    del kwargs["fte"]
    empty = queue.fte_needed(probability=0.9, **kwargs)
    backlog = queue.fte_needed(probability=0.9, waiting_now=60, **kwargs)
    assert backlog.fte >= empty.fte and backlog.probability_under_target >= 0.9
    fewer = queue.project(fte=backlog.fte - 0.5, waiting_now=60, **kwargs)
    assert fewer.probability_under_target < 0.9
