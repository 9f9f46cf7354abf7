"""The statistics of an equality assessment, on small aggregated counts, exactly as ../shared/DOMAIN.md says.

Every function takes counts (or a histogram), never rows: the data are reduced to counts by the backend in one
pass, and what is computed here is the same whichever backend did the counting. Zero counts are never patched with
pseudocounts: a ratio whose two counts are both zero carries no information and says so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

CONFIDENCE = 0.95
Z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Comparison:
    """A group against its reference: a ratio with its interval and a two-sided p-value."""

    ratio: float | None
    low: float | None
    high: float | None
    p_value: float | None
    method: str
    no_information: bool = False


NO_INFORMATION = Comparison(None, None, None, None, "no events in either group", no_information=True)


def wilson(k: int, n: int) -> Estimate:
    """A proportion k/n with its Wilson score interval (good coverage near 0 and 1, unlike Wald)."""
    if n <= 0:
        return Estimate(None, None, None)
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half))


def poisson_rate(count: int, exposure: float, per: float = 1.0) -> Estimate:
    """A rate count/exposure with the exact Poisson (Garwood) interval, scaled by `per` (e.g. per 1,000)."""
    if exposure <= 0:
        return Estimate(None, None, None)
    alpha = 1 - CONFIDENCE
    low = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return Estimate(per * count / exposure, per * low / exposure, per * high / exposure)


def rate_ratio(
    count: int,
    exposure: float,
    ref_count: int,
    ref_exposure: float,
    *,
    method: str = "exact",
    confidence: float = CONFIDENCE,
) -> Comparison:
    """Ratio of two Poisson rates: exact conditional interval (or log-Wald), exact conditional test.

    Exact: given the total N_g + N_ref, N_g is binomial with pi = RR E_g / (RR E_g + E_ref), so a Clopper-Pearson
    interval for pi maps to RR = pi / (1 - pi) * E_ref / E_g. The p-value is statsmodels'
    `test_poisson_2indep(method="exact-cond")`, computed here by the same two-sided binomial test (SciPy's
    "minlike" rule) without the per-call overhead, which matters with thousands of comparisons.
    """
    if count == 0 and ref_count == 0:
        return NO_INFORMATION
    ratio = _ratio(count / exposure, ref_count / ref_exposure)
    p_value = binomial_test(count, count + ref_count, exposure / (exposure + ref_exposure))
    if method in ("wald", "log-wald"):
        if count == 0 or ref_count == 0:
            return Comparison(ratio, None, None, p_value, "log-Wald (undefined with a zero count)")
        se, z = math.sqrt(1 / count + 1 / ref_count), _z(confidence)
        return Comparison(ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se), p_value, "log-Wald")
    low, high = clopper_pearson(count, count + ref_count, confidence)
    scale = ref_exposure / exposure
    return Comparison(ratio, _odds(low) * scale, _odds(high) * scale, p_value, "exact conditional")


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact binomial interval for k of n, from the beta quantiles (what binomtest's interval solves for)."""
    alpha = 1 - confidence
    low = 0.0 if k == 0 else float(special.betaincinv(k, n - k + 1, alpha / 2))
    high = 1.0 if k == n else float(special.betaincinv(k + 1, n - k, 1 - alpha / 2))
    return low, high


def binomial_test(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value, as `scipy.stats.binomtest(k, n, p).pvalue` (likelihood-ordered tails)."""
    if n == 0:
        return 1.0
    d = _binom_pmf(k, n, p)
    rerr = 1 + 1e-7
    if k == p * n:
        return 1.0
    # The search compares probabilities only to within 1e-7, so log-gamma terms serve; the tails use SciPy's own
    # binomial distribution functions, as binomtest does.
    if k < p * n:
        ix = _search(lambda x: -_binom_pmf(x, n, p), -d * rerr, math.ceil(p * n), n)
        y = n - ix + int(d * rerr == _binom_pmf(ix, n, p))
        p_value = stats.binom.cdf(k, n, p) + stats.binom.sf(n - y, n, p)
    else:
        ix = _search(lambda x: _binom_pmf(x, n, p), d * rerr, 0, math.floor(p * n))
        y = ix + 1
        p_value = stats.binom.cdf(y - 1, n, p) + stats.binom.sf(k - 1, n, p)
    return float(min(1.0, p_value))


def _binom_pmf(k: float, n: int, p: float) -> float:
    if k < 0 or k > n:
        return 0.0
    if p == 0 or p == 1:
        return float(k == (0 if p == 0 else n))
    return math.exp(
        special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
        + special.xlogy(k, p) + special.xlog1py(n - k, -p)
    )  # fmt: skip


def _search(a, d: float, lo: float, hi: float) -> int:
    """SciPy's binary search for the first term of the other tail that is no more likely than the observed one."""
    while lo < hi:
        mid = lo + (hi - lo) // 2
        value = a(mid)
        if value < d:
            lo = mid + 1
        elif value > d:
            hi = mid - 1
        else:
            return int(mid)
    return int(lo) if a(lo) <= d else int(lo - 1)


def proportion_ratio(k: int, n: int, ref_k: int, ref_n: int, confidence: float = CONFIDENCE) -> Comparison:
    """Ratio of two proportions: Katz log interval; Koopman's score interval when a count is zero.

    Test: Fisher's exact test when any expected count is under 5, otherwise the score test (Pearson's chi-squared
    without continuity correction), which at those sizes agrees with Fisher's to many digits at a fraction of the cost.
    """
    if n == 0 or ref_n == 0:
        return Comparison(None, None, None, None, "a group has no rows")
    if k == 0 and ref_k == 0:
        return NO_INFORMATION
    p_value = two_by_two_test(k, n - k, ref_k, ref_n - ref_k)
    if k == 0 or ref_k == 0:
        # Katz's log interval is undefined with a zero count; the score interval is defined without pseudocounts.
        # (A zero is always under the suppression threshold, so this interval is never published, only kept honest.)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            low, high = confint_proportions_2indep(
                k, n, ref_k, ref_n, method="score", compare="ratio", alpha=1 - confidence
            )
        low, high = _real(low), _real(high)
        return Comparison(_ratio(k / n, ref_k / ref_n), None if low is None else max(low, 0.0), high, p_value,
                          "score (Koopman)")  # fmt: skip
    ratio = (k / n) / (ref_k / ref_n)
    se, z = math.sqrt(1 / k - 1 / n + 1 / ref_k - 1 / ref_n), _z(confidence)
    return Comparison(ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se), p_value, "Katz log")


def two_by_two_test(a: int, b: int, c: int, d: int) -> float:
    """p-value for the 2x2 table [[a, b], [c, d]]: Fisher's exact with small expected counts, else the score test."""
    rows, columns, total = (a + b, c + d), (a + c, b + d), a + b + c + d
    if min(rows) == 0 or min(columns) == 0:
        return 1.0
    expected = min(r * col for r in rows for col in columns) / total
    if expected < 5:
        return float(stats.fisher_exact([[a, b], [c, d]]).pvalue)
    chi_square = total * (a * d - b * c) ** 2 / (rows[0] * rows[1] * columns[0] * columns[1])
    return float(special.chdtrc(1, chi_square))


@dataclass(frozen=True)
class Distribution:
    """A duration summarised from its histogram (value -> count): n, mean, sd, median and its exact interval."""

    n: int
    mean: float | None
    sd: float | None
    median: float | None
    median_low: float | None
    median_high: float | None


def distribution(values: np.ndarray, counts: np.ndarray) -> Distribution:
    """Summarise a histogram exactly (no sampling): the order statistics are read off the cumulative counts.

    The median's interval is the distribution-free one from order statistics: [x_(l), x_(n-l+1)] with the largest
    l such that P(Binomial(n, 1/2) < l) <= 2.5%, which covers at least 95% for any continuous distribution.
    """
    order = np.argsort(values)
    values, counts = np.asarray(values, dtype=float)[order], np.asarray(counts, dtype=np.int64)[order]
    n = int(counts.sum())
    if n == 0:
        return Distribution(0, None, None, None, None, None)
    mean = float((values * counts).sum() / n)
    sd = float(math.sqrt(((values - mean) ** 2 * counts).sum() / (n - 1))) if n > 1 else None
    cumulative = np.cumsum(counts)

    def order_statistic(rank: int) -> float:  # rank counts from 1
        return float(values[np.searchsorted(cumulative, rank)])

    median = (order_statistic((n + 1) // 2) + order_statistic(n // 2 + 1)) / 2
    lower_rank = int(stats.binom.ppf((1 - CONFIDENCE) / 2, n, 0.5))
    if lower_rank < 1:
        return Distribution(n, mean, sd, median, None, None)
    if stats.binom.cdf(lower_rank - 1, n, 0.5) > (1 - CONFIDENCE) / 2:
        lower_rank -= 1
    if lower_rank < 1:
        return Distribution(n, mean, sd, median, None, None)
    return Distribution(n, mean, sd, median, order_statistic(lower_rank), order_statistic(n - lower_rank + 1))


def mean_ratio(group: Distribution, ref: Distribution, confidence: float = CONFIDENCE) -> Comparison:
    """Ratio of mean durations, log (delta-method) interval, Welch's t-test on the same means."""
    if group.n < 2 or ref.n < 2 or group.sd is None or ref.sd is None:
        return Comparison(None, None, None, None, "too few values")
    if not group.mean or not ref.mean:
        return Comparison(None, None, None, None, "a mean of zero")
    ratio = group.mean / ref.mean
    se = math.sqrt(group.sd**2 / (group.n * group.mean**2) + ref.sd**2 / (ref.n * ref.mean**2))
    if group.sd == 0 and ref.sd == 0:
        p_value = 1.0 if group.mean == ref.mean else 0.0
    else:
        p_value = float(
            stats.ttest_ind_from_stats(group.mean, group.sd, group.n, ref.mean, ref.sd, ref.n, equal_var=False).pvalue
        )
    z = _z(confidence)
    return Comparison(ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se), p_value, "log (delta method), Welch")


def unknown_bounds(count: int, exposure: float, ref_count: int, ref_exposure: float, unknown: int) -> Estimate:
    """Bounds on a rate ratio if the U events of unknown group all belonged to the reference (L) or the group (H)."""
    low = _ratio(count / exposure, (ref_count + unknown) / ref_exposure)
    high = _ratio((count + unknown) / exposure, ref_count / ref_exposure)
    return Estimate(None, low, high)


def adjust(p_values: list[float], method: str) -> list[float]:
    """Adjusted p-values across one family (statsmodels: 'holm', 'fdr_bh', 'bonferroni')."""
    if not p_values:
        return []
    if method == "holm":
        return _holm(p_values)
    return [float(p) for p in multipletests(p_values, method=method)[1]]


def _holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment, the same arithmetic as statsmodels' `multipletests(method="holm")` (to the bit):
    each sorted p-value times the number not yet tested, made non-decreasing, at most 1. Not statsmodels' own: it
    runs a full garbage collection on every call (a fifth of a second or more in a process holding Django and the
    engines), and an assessment adjusts three families."""
    p = np.asarray(p_values)
    order = np.argsort(p)
    corrected = np.minimum(np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1)), 1)
    unsorted = np.empty_like(corrected)
    unsorted[order] = corrected
    return [float(v) for v in unsorted]


def adjusted_confidence(p_value: float, p_adjusted: float, alpha: float, tests: int) -> float:
    """The confidence level at which a comparison's interval agrees with its adjusted test.

    An interval at level 1 - alpha * p / p_adjusted excludes 1 exactly when p < alpha * p / p_adjusted, that is when
    the adjusted p-value is under alpha: for Bonferroni it is the familiar 1 - alpha / m, for Holm and
    Benjamini-Hochberg the level of each comparison's step. A finding that rests on the adjusted test then shows the
    interval it rests on.
    """
    if p_adjusted <= 0 or p_value <= 0:
        return 1 - alpha / max(tests, 1)
    return min(1 - alpha * p_value / p_adjusted, 1 - alpha / max(tests, 1)) if p_adjusted > p_value else 1 - alpha


def _z(confidence: float) -> float:
    return Z if confidence == CONFIDENCE else float(stats.norm.ppf(0.5 + confidence / 2))


def _ratio(numerator: float, denominator: float) -> float | None:
    if denominator == 0:
        return math.inf if numerator > 0 else None
    return numerator / denominator


def _odds(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _real(x: complex | float) -> float | None:
    """statsmodels' score interval can come back complex (by a rounding hair) or infinite at the edges."""
    value = complex(x)
    if abs(value.imag) > 1e-6 or not math.isfinite(value.real):
        return None
    return value.real
