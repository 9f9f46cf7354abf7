"""The engine's statistics against SciPy and statsmodels reference computations, to 1e-9."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.stats.contingency import relative_risk
from statsmodels.stats import rates
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from carehub.insight.equality import statistics as st

TOLERANCE = 1e-9
RATES = [(0, 120.0, 14, 300.0), (3, 50.5, 0, 70.0), (7, 1000.0, 9, 800.0), (412, 15_000.0, 120, 9_000.0),
         (60_563, 1_485_000.0, 60_754, 5_906_000.0), (1, 3.0, 1, 2.0)]  # fmt: skip
PROPORTIONS = [(3, 40, 7, 50), (0, 30, 6, 40), (5, 20, 0, 25), (2_180, 4_821, 35_000, 50_072),
               (17_262, 60_563, 18_600, 60_754), (1, 1, 3, 9)]  # fmt: skip


def close(a: float | None, b: float) -> bool:
    if a is None:
        return not math.isfinite(b)
    if math.isinf(b):
        return math.isinf(a)
    return abs(a - b) <= TOLERANCE * max(1.0, abs(b))


@pytest.mark.parametrize(("k", "n"), [(0, 10), (1, 10), (10, 10), (37, 120), (2_180, 4_821), (17_262, 60_563)])
def test_wilson_matches_statsmodels(k, n):
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    estimate = st.wilson(k, n)
    assert close(estimate.value, k / n)
    assert close(estimate.low, low) and close(estimate.high, high)


@pytest.mark.parametrize(("count", "exposure"), [(0, 10.0), (1, 10.0), (14, 300.0), (60_563, 1_485_000.0)])
def test_exact_poisson_rate_matches_statsmodels(count, exposure):
    low, high = rates.confint_poisson(count, exposure, method="exact-c")
    estimate = st.poisson_rate(count, exposure, per=1000)
    assert close(estimate.value, 1000 * count / exposure)
    assert close(estimate.low, 1000 * low) and close(estimate.high, 1000 * high)


@pytest.mark.parametrize(("n1", "e1", "n0", "e0"), RATES)
def test_rate_ratio_exact_conditional(n1, e1, n0, e0):
    result = st.rate_ratio(n1, e1, n0, e0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference_p = rates.test_poisson_2indep(n1, e1, n0, e0, method="exact-cond").pvalue
    assert close(result.p_value, reference_p)
    interval = stats.binomtest(n1, n1 + n0).proportion_ci(0.95, method="exact")
    odds = [p / (1 - p) if p < 1 else math.inf for p in (interval.low, interval.high)]
    assert close(result.low, odds[0] * e0 / e1)
    assert close(result.high, odds[1] * e0 / e1)
    assert close(result.ratio, (n1 / e1) / (n0 / e0) if n0 else math.inf)


@pytest.mark.parametrize(("n1", "e1", "n0", "e0"), [r for r in RATES if r[0] and r[2]])
def test_rate_ratio_log_wald_alternative(n1, e1, n0, e0):
    low, high = rates.confint_poisson_2indep(n1, e1, n0, e0, method="wald-log")
    result = st.rate_ratio(n1, e1, n0, e0, method="wald")
    assert close(result.low, low) and close(result.high, high)


def test_two_zero_counts_carry_no_information():
    assert st.rate_ratio(0, 100.0, 0, 200.0).no_information
    assert st.proportion_ratio(0, 20, 0, 30).no_information


@pytest.mark.parametrize(("k", "n", "p"), [(0, 10, 0.3), (10, 10, 0.3), (3, 7, 0.999), (250, 1000, 0.26),
                                           (1_000_000, 3_000_000, 0.3333), (5, 10, 0.5)])  # fmt: skip
def test_binomial_test_matches_scipy(k, n, p):
    assert close(st.binomial_test(k, n, p), stats.binomtest(k, n, p).pvalue)


def test_binomial_test_matches_scipy_on_random_tables():
    rng = np.random.default_rng(6)
    for _ in range(300):
        n = int(rng.integers(1, 5_000))
        k, p = int(rng.integers(0, n + 1)), float(rng.uniform(0.01, 0.99))
        assert close(st.binomial_test(k, n, p), stats.binomtest(k, n, p).pvalue)


@pytest.mark.parametrize(("a", "n1", "c", "n2"), [p for p in PROPORTIONS if p[0] and p[2]])
def test_proportion_ratio_katz_matches_scipy(a, n1, c, n2):
    result = st.proportion_ratio(a, n1, c, n2)
    reference = relative_risk(a, n1, c, n2)
    interval = reference.confidence_interval(0.95)
    assert result.method == "Katz log"
    assert close(result.ratio, reference.relative_risk)
    assert close(result.low, interval.low) and close(result.high, interval.high)


@pytest.mark.parametrize(("a", "n1", "c", "n2"), [p for p in PROPORTIONS if not (p[0] and p[2])])
def test_proportion_ratio_with_a_zero_uses_the_score_interval(a, n1, c, n2):
    result = st.proportion_ratio(a, n1, c, n2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        low, high = confint_proportions_2indep(a, n1, c, n2, method="score", compare="ratio")
    assert result.method == "score (Koopman)"
    assert close(result.low, low) and close(result.high, high)


@pytest.mark.parametrize(("a", "n1", "c", "n2"), PROPORTIONS)
def test_proportion_test_is_fisher_when_small_and_score_when_large(a, n1, c, n2):
    table = [[a, n1 - a], [c, n2 - c]]
    expected = stats.contingency.expected_freq(table)
    if expected.min() < 5:
        reference = stats.fisher_exact(table).pvalue
    else:
        reference = stats.chi2_contingency(table, correction=False).pvalue
    assert close(st.proportion_ratio(a, n1, c, n2).p_value, reference)


def test_duration_summaries_match_numpy_and_scipy_order_statistics():
    rng = np.random.default_rng(3)
    for n in (6, 9, 17, 40, 101, 1_000, 5_000):
        x = rng.poisson(18, size=n) + rng.integers(0, 5, size=n)
        values, counts = np.unique(x, return_counts=True)
        summary = st.distribution(values, counts)
        interval = stats.quantile_test(x, q=np.median(x), p=0.5).confidence_interval(0.95)
        assert summary.n == n
        assert close(summary.median, float(np.median(x)))
        assert close(summary.mean, float(x.mean()))
        assert close(summary.sd, float(x.std(ddof=1)))
        assert summary.median_low == interval.low and summary.median_high == interval.high


def test_median_interval_is_absent_when_too_few_values():
    summary = st.distribution(np.array([1.0, 2.0, 3.0]), np.array([1, 2, 2]))
    assert summary.median == 2.0 and summary.median_low is None


def test_mean_ratio_welch_matches_scipy():
    rng = np.random.default_rng(4)
    a, b = rng.poisson(25, 400), rng.poisson(20, 900)
    da = st.distribution(*np.unique(a, return_counts=True))
    db = st.distribution(*np.unique(b, return_counts=True))
    result = st.mean_ratio(da, db)
    assert close(result.p_value, stats.ttest_ind(a, b, equal_var=False).pvalue)
    assert close(result.ratio, a.mean() / b.mean())
    se = math.sqrt(a.var(ddof=1) / (len(a) * a.mean() ** 2) + b.var(ddof=1) / (len(b) * b.mean() ** 2))
    assert close(result.low, a.mean() / b.mean() * math.exp(-st.Z * se))


def test_unknown_bounds_follow_the_formula():
    bounds = st.unknown_bounds(120, 1_000.0, 300, 5_000.0, 50)
    assert close(bounds.low, (120 / 1_000) / (350 / 5_000))
    assert close(bounds.high, (170 / 1_000) / (300 / 5_000))


def test_adjustments_match_statsmodels():
    p = [0.001, 0.04, 0.03, 0.2, 0.0001, 0.5]
    assert st.adjust(p, "holm") == pytest.approx(list(multipletests(p, method="holm")[1]), abs=1e-12)
    assert st.adjust(p, "fdr_bh") == pytest.approx(list(multipletests(p, method="fdr_bh")[1]), abs=1e-12)


def test_holm_is_statsmodels_holm_to_the_bit():
    """`adjust` computes Holm itself (statsmodels' collects garbage on every call): the same numbers, exactly, with
    ties, values clipped at 1 and families of one."""
    rng = np.random.default_rng(11)
    families = [[0.5], [0.02, 0.02, 0.02], [0.3, 0.9, 0.6, 0.01]]
    families += [list(np.round(rng.random(n) ** 3, 2)) for n in (2, 7, 40)]
    families += [list(rng.random(n) ** 4) for n in (5, 25, 300)]
    for p in families:
        assert st.adjust(p, "holm") == [float(v) for v in multipletests(p, method="holm")[1]]
