"""Known answers from the libraries' own shipped data sets (offline): Cox on Rossi, Aalen-Johansen on bone marrow."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from lifelines import AalenJohansenFitter
from lifelines.datasets import load_rossi
from sksurv.datasets import load_bmt
from sksurv.nonparametric import cumulative_incidence_competing_risks
from statsmodels.duration.hazard_regression import PHReg

from carehub.insight.duration import aalen_johansen, kaplan_meier
from carehub.insight.duration.cox import coefficients, cox_fit

COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_cox_on_rossi_matches_statsmodels_phreg_with_efron_ties():
    rossi = load_rossi()
    fitter, _ = cox_fit(rossi["week"].to_numpy(), rossi["arrest"].to_numpy(), rossi[COVARIATES].to_numpy(), COVARIATES)
    ours = {row["covariate"]: row["coef"] for row in coefficients(fitter)}
    theirs = PHReg(rossi["week"], rossi[COVARIATES], status=rossi["arrest"], ties="efron").fit()
    for name, value in zip(COVARIATES, theirs.params, strict=True):
        assert ours[name] == pytest.approx(value, abs=1e-6), name
    assert ours["fin"] == pytest.approx(-0.3794, abs=5e-5)  # the published values (DOMAIN.md)
    assert ours["prio"] == pytest.approx(0.0915, abs=5e-5)


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
