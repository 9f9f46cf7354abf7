"""The emulated trial recovers a planted effect, and the naive comparison does not.

Twenty fixed seeds of small simulated data (3,000 women each): a fixed set of seeds gives a fixed outcome, so these
tests cannot flake. The truth for each data set is its own women's potential outcomes under both strategies
(simulate.py), not arithmetic from the hazard ratio. benchmarks/duration_bench.py runs 100 seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from carehub.insight.duration import load, load_spec
from carehub.insight.duration.analysis import naive
from carehub.insight.duration.data import design
from carehub.insight.duration.simulate import Planted, simulate
from carehub.insight.duration.trial import emulate
from carehub.insight.equality.backends import connect

SEEDS = range(20)
WOMEN = 3000


def run_seeds(tmp_path_factory, planted: Planted) -> list[dict]:
    spec = load_spec()
    con = connect("duckdb")
    results = []
    for seed in SEEDS:
        simulated = simulate(WOMEN, seed=seed, planted=planted)
        folder = simulated.write(tmp_path_factory.mktemp(f"seed{seed}"))
        episodes = load(con, folder, spec, extract_date=simulated.extract_date)
        x, _ = design(episodes.covariates, spec)
        boot, _, _ = emulate(episodes, x, spec)
        difference = boot.replicates["26 weeks"] - boot.replicates["12 weeks"]
        results.append(
            {
                "truth": simulated.truth["risk_difference"],
                "estimate": boot.estimate["26 weeks"] - boot.estimate["12 weeks"],
                "ci": tuple(np.percentile(difference, [2.5, 97.5])),
                "naive_ci": naive(episodes, spec)["risk_difference"]["ci"],
            }
        )
    return results


@pytest.fixture(scope="module")
def planted_effect(tmp_path_factory):
    return run_seeds(tmp_path_factory, Planted())


@pytest.fixture(scope="module")
def no_effect(tmp_path_factory):
    return run_seeds(tmp_path_factory, Planted(hazard_ratio=1.0, during_support=1.0))


def covered(results: list[dict], key: str = "ci") -> int:
    return sum(r[key][0] <= r["truth"] <= r[key][1] for r in results)


def test_the_trial_interval_covers_the_planted_effect_in_at_least_18_of_20_seeds(planted_effect):
    assert all(r["truth"] < 0 for r in planted_effect)  # 26 weeks truly prevents repeats in every data set
    assert covered(planted_effect) >= 18


def test_the_naive_comparison_misses_the_planted_effect(planted_effect):
    assert covered(planted_effect, "naive_ci") <= 2
    # and it misses towards harm: longer episodes look worse because riskier women are kept longer
    assert np.mean([np.mean(r["naive_ci"]) for r in planted_effect]) > 0


def test_with_no_effect_the_interval_covers_zero(no_effect):
    assert all(r["truth"] == 0.0 for r in no_effect)
    assert covered(no_effect) >= 18
