"""The demand patterns `carehub seed` plants are the ones the commissioning evidence finds: a year-on-year rise, the
sustained surge, tournament peaks, December above November, and the recording break (a run of flags unless
declared, its size recovered when it is). Over six years (`carehub seed --years 6`): three years' default seed is
too short for a model of calendar months and trend to judge the surge by what came before it.

The arrivals are drawn as the seeder draws them (timeline.arrival_times over the plan's window), at a volume where a
month's count is not mostly noise; the analysis is insight.commissioning's, as a commissioning run calls it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from carehub.insight.commissioning.forecast import adjust_for_breaks, surge_flags
from carehub.insight.commissioning.run import year_on_year
from carehub.insight.commissioning.settings import DEFAULT_EVENTS, ChangePoint
from carehub.synthetic import timeline

END_DATE = dt.date(2026, 10, 31)
REFERRALS = 40_000
YEARS = 6  # `carehub seed --years 6`: three years before the surge to judge it by


@pytest.fixture(scope="module", params=[1, 2, 3])
def seeded(request):
    window = timeline.Window.ending(END_DATE, years=YEARS)
    rng = np.random.default_rng(request.param)
    channel = np.where(rng.random(REFERRALS) < 0.6, "professional", "self")
    received = timeline.arrival_times(rng, REFERRALS, window, channel)
    months = (received // timeline.DAY).astype("datetime64[D]").astype("datetime64[M]")
    labels, counts = np.unique(months.astype(str), return_counts=True)
    return window, tuple(labels.tolist()), counts


def _surge_months(window: timeline.Window) -> tuple[set[str], set[str]]:
    """Months every day of which is on the surge's plateau (past its ramps), and every month it touches."""
    first = window.start + dt.timedelta(days=timeline.surge_start(window))
    start, end = first + dt.timedelta(days=timeline.SURGE_RAMP_DAYS), first + dt.timedelta(days=timeline.SURGE_DAYS)
    days = np.arange(np.datetime64(start), np.datetime64(end - dt.timedelta(days=timeline.SURGE_RAMP_DAYS)))
    months, per_month = np.unique(days.astype("datetime64[M]"), return_counts=True)
    lengths = (months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")
    touched = np.arange(np.datetime64(first, "M"), np.datetime64(end, "M") + 1)
    return {str(m) for m, n, d in zip(months, per_month, lengths, strict=True) if n == d.astype(int)}, {
        str(m) for m in touched
    }


def test_demand_rose_on_the_year_before(seeded):
    _, _, counts = seeded
    change = year_on_year(int(counts[-12:].sum()), int(counts[-24:-12].sum()))
    assert change["low"] > 0


def test_the_surge_and_the_tournaments_are_flagged_and_little_else(seeded):
    window, labels, counts = seeded
    declared = ChangePoint(timeline.recording_break(window).strftime("%Y-%m"), "adjust", "new recording system")
    flags = {f.month: f for f in surge_flags(counts, labels, DEFAULT_EVENTS, change_points=(declared,))}
    plateau, touched = _surge_months(window)
    assert len(plateau) >= 4 and all(flags.get(m) and flags[m].direction == "above" for m in plateau)
    tournaments = [e for e in DEFAULT_EVENTS if set(e.months) & set(labels)]
    found = [e for e in tournaments if any(flags.get(m) and flags[m].event == e.name for m in e.months)]
    assert len(tournaments) == 4 and len(found) >= 3
    unexplained = [m for m in flags if not flags[m].event and m not in touched]
    assert len(unexplained) <= len(labels) / 36


def test_december_peaks_above_november(seeded):
    """Over the years, Decembers hold at least 5% more referrals than Novembers (tournament years left out)."""
    _, labels, counts = seeded
    by_month = dict(zip(labels, counts, strict=True))
    events = {m for e in DEFAULT_EVENTS for m in e.months}
    years = [y for y in range(2020, 2027) if {f"{y}-11", f"{y}-12"} <= set(by_month) - events]
    november, december = (sum(by_month[f"{y}-{m}"] for y in years) for m in ("11", "12"))
    assert len(years) >= 4 and december > 1.05 * november


def test_the_recording_break_once_declared_is_measured_at_its_planted_size(seeded):
    """The step across the break, estimated from both sides (growth and surge apart), is the planted one: within
    seven points (about a tenth of the months lie before it, so the estimate is rougher than in a long series)."""
    window, labels, counts = seeded
    month = timeline.recording_break(window).strftime("%Y-%m")
    declared = ChangePoint(month, "adjust", "new recording system")
    _, _, notes = adjust_for_breaks(counts, labels, (declared,), events=DEFAULT_EVENTS)
    assert notes[month]["mode"] == "adjust"
    assert notes[month]["level_shift"] == pytest.approx(timeline.RECORDING_BREAK, abs=0.07)
