"""Known answers from the libraries' own shipped data sets (offline): Cox on Rossi, Aalen-Johansen on bone marrow."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, CoxPHFitter
from lifelines.datasets import load_rossi
from sksurv.datasets import load_bmt
from sksurv.nonparametric import cumulative_incidence_competing_risks
from statsmodels.duration.hazard_regression import PHReg

from carehub.insight.duration import aalen_johansen, kaplan_meier
from carehub.insight.duration.analysis import after_end, band_of
from carehub.insight.duration.cox import coefficients, cox_fit, efron_fit
from carehub.insight.duration.data import design, load
from carehub.insight.duration.simulate import simulate
from carehub.insight.duration.spec import load_spec
from carehub.insight.equality.backends import connect

COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_cox_on_rossi_matches_statsmodels_phreg_with_efron_ties():
    rossi = load_rossi()
    fitter = cox_fit(rossi["week"].to_numpy(), rossi["arrest"].to_numpy(), rossi[COVARIATES].to_numpy(), COVARIATES)
    ours = {row["covariate"]: row["coef"] for row in coefficients(fitter)}
    theirs = PHReg(rossi["week"], rossi[COVARIATES], status=rossi["arrest"], ties="efron").fit()
    for name, value in zip(COVARIATES, theirs.params, strict=True):
        assert ours[name] == pytest.approx(value, abs=1e-6), name
    assert ours["fin"] == pytest.approx(-0.3794, abs=5e-5)  # the published values (DOMAIN.md)
    assert ours["prio"] == pytest.approx(0.0915, abs=5e-5)


def assert_same_fit(ours, duration, event, x, names):
    """Coefficients, standard errors and log partial likelihood against lifelines and statsmodels (Efron ties)."""
    lifelines = CoxPHFitter().fit(pd.DataFrame(x, columns=names).assign(_t=duration, _e=event), "_t", "_e")
    statsmodels = PHReg(duration, x, status=event, ties="efron").fit()
    assert ours.converged
    np.testing.assert_allclose(ours.params, lifelines.params_.to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.params, statsmodels.params, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.standard_errors, lifelines.standard_errors_.to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.standard_errors, statsmodels.bse, rtol=0, atol=1e-6)
    assert ours.log_likelihood == pytest.approx(lifelines.log_likelihood_, abs=1e-6)
    assert ours.log_likelihood == pytest.approx(statsmodels.llf, abs=1e-6)


def test_efron_fit_on_rossi_matches_lifelines_and_statsmodels():
    rossi = load_rossi()
    duration, event, x = rossi["week"].to_numpy(), rossi["arrest"].to_numpy(), rossi[COVARIATES].to_numpy()
    assert len(set(duration[event == 1])) < int(event.sum())  # tied event times: Efron's correction matters
    assert_same_fit(efron_fit(duration, event, x, COVARIATES), duration, event, x, COVARIATES)


def test_efron_fit_on_a_simulated_extract_matches_lifelines_and_statsmodels(tmp_path):
    """The analysis's own adjusted model (days from the end of support, duration band and confounders) on a seeded
    extract: whole days, so hundreds of ties per day."""
    simulated = simulate(4000, seed=5)
    spec = load_spec()
    episodes = load(connect("duckdb"), simulated.write(tmp_path), spec, extract_date=simulated.extract_date)
    ended, day, status = after_end(episodes)
    x, names = design(episodes.covariates, spec)
    bands = band_of(episodes.support_days, spec)[ended]
    xx = np.hstack([np.column_stack([(bands == b).astype(float) for b in (1, 2)]), x[ended]])
    all_names = ["band 2", "band 3", *names]
    duration, event = np.round(day[ended]), (status[ended] == 1).astype(int)
    assert np.unique(duration[event == 1]).size < 0.8 * event.sum()  # many days with tied events
    assert_same_fit(efron_fit(duration, event, xx, all_names), duration, event, xx, all_names)


def test_kaplan_meier_on_rossi_gives_the_published_survival_at_52_weeks():
    rossi = load_rossi()
    curve = kaplan_meier(rossi["week"].to_numpy(), rossi["arrest"].to_numpy())
    assert curve.at(52) == pytest.approx(0.7361, abs=5e-5)
    assert curve.at(0) == 1.0


def exact_cumulative_incidence(time, event, cause):
    """The Aalen-Johansen estimator straight from its definition, in exact fractions, one distinct time at a time."""
    survival, cif, result = Fraction(1), Fraction(0), {}
    for t in sorted(set(time)):
        at_risk = sum(1 for s in time if s >= t)
        events = sum(1 for s, e in zip(time, event, strict=True) if s == t and e != 0)
        of_cause = sum(1 for s, e in zip(time, event, strict=True) if s == t and e == cause)
        cif += survival * Fraction(of_cause, at_risk)
        survival *= 1 - Fraction(events, at_risk)
        result[t] = cif
    return result


def bmt():
    _, y = load_bmt()
    return y["ftime"].astype(float), y["status"].astype(int)


@pytest.mark.parametrize("cause", [1, 2])
def test_aalen_johansen_on_bone_marrow_matches_an_exact_computation_with_ties(cause):
    time, event = bmt()
    assert len(set(time)) < len(time)  # the data have tied times: the point of the test
    exact = exact_cumulative_incidence(list(time), list(event), cause)
    curve = aalen_johansen(time, event, cause=cause)
    for t, value in exact.items():
        assert curve.at(t) == pytest.approx(float(value), abs=1e-6), t


@pytest.mark.parametrize("cause", [1, 2])
def test_aalen_johansen_on_bone_marrow_matches_scikit_survival(cause):
    time, event = bmt()
    times, cif = cumulative_incidence_competing_risks(event, time)
    curve = aalen_johansen(time, event, cause=cause)
    for t, value in zip(times, cif[cause], strict=True):
        assert curve.at(t) == pytest.approx(value, abs=1e-6)


def test_aalen_johansen_matches_lifelines_where_no_times_are_tied():
    time, event = bmt()
    _, first = np.unique(time, return_index=True)  # one row per distinct time: no ties, so no jitter
    time, event = time[first], event[first]
    fitter = AalenJohansenFitter(calculate_variance=False).fit(time, event, event_of_interest=1)
    theirs = fitter.cumulative_density_.iloc[:, 0]
    curve = aalen_johansen(time, event, cause=1)
    for t, value in theirs.items():
        assert curve.at(t) == pytest.approx(value, abs=1e-6)


def test_weights_count_like_copies():
    time = np.array([1, 2, 2, 3, 5.0])
    event = np.array([1, 2, 0, 1, 0])
    weights = np.array([2, 1, 3, 1, 1.0])
    copies = aalen_johansen(np.repeat(time, weights.astype(int)), np.repeat(event, weights.astype(int)))
    weighted = aalen_johansen(time, event, weights=weights)
    np.testing.assert_allclose(weighted.value, copies.value)
