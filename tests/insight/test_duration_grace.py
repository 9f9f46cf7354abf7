"""The emulated trial's 12-week arm against the simulated truth, at a size where a systematic error shows.

The strategy "support ends during week 12" allows one grace week. The clones that were still in support at the end
of it used to be kept in the risk set through that week and censored at its end, so the week's risk set mixed women
who end support in it with women who stay; while in support the hazard of a repeat is lower than after it, so the
12-week arm's risk came out too low (toward the 26-week arm: toward no effect). At a million women with the shipped
simulation that was about 0.15 points of a 6-point difference, within a small study's noise; here the process is
made to show it (no confounding, support ten times as protective while it lasts, repeats four times as common), and
the weights are the simulator's true hazards, so what is tested is the clones, their censoring and the weighted
Aalen-Johansen, not the noise of a fitted weight model. Measured on these seeds: the old code's error was -0.81,
-0.60 and -0.48 points (mean -0.63); the estimate's own noise at 100,000 women is about 0.17 points a seed.
"""

from __future__ import annotations

import numpy as np

from carehub.insight.duration import load, load_spec
from carehub.insight.duration.simulate import Planted, end_hazards, simulate
from carehub.insight.duration.trial import clone_arm, weekly_risks
from carehub.insight.equality.backends import connect

SUPPORT_MATTERS = Planted(confounding=0.0, during_support=0.1, yearly_repeat_rate=0.5)


def test_the_12_week_arm_recovers_the_same_womens_risk_when_support_matters_most(tmp_path):
    spec = load_spec()
    con = connect("duckdb")
    errors = []
    for seed in (1, 2, 3):
        simulated = simulate(100_000, seed=seed, planted=SUPPORT_MATTERS)
        folder = simulated.write(tmp_path / str(seed))
        episodes = load(con, folder, spec, extract_date=simulated.extract_date)
        hazard = end_hazards(episodes.covariates, SUPPORT_MATTERS, spec.long_weeks + spec.grace_weeks)
        arm = clone_arm(episodes, hazard.astype(np.float32), spec.short_weeks, spec)
        estimate = weekly_risks([arm], [episodes.person], spec.horizon_weeks, 1, spec.seed).estimate["12 weeks"]
        errors.append(estimate - simulated.truth["risk_short"])
    assert abs(np.mean(errors)) < 0.003, errors  # 0.3 points: the old code was 0.63 points low
    assert max(abs(e) for e in errors) < 0.005, errors
