"""Score one pair of linkage-key records with a trained model, in plain Python: no database, no Splink.

When a referral arrives the hub compares her keys with a few hundred blocked candidates; a Splink query per
referral would cost far more than the arithmetic. Fellegi-Sunter scoring is a sum: the prior's log-odds plus, for
each comparison, log2(m/u) of the level the pair falls in. The levels are splink_model.COMPARISONS, the very definitions
Splink was trained with, and m, u and the prior come from the saved Splink model, so the two agree (a test holds
them to the same probability).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carehub.people.linkage_keys import ALL_KEY_FIELDS, BATCH_KEY_FIELDS, LIST_FIELDS, NEAR_SEPARATOR
from carehub.repeats.splink_model import COMPARISONS, TERM_FREQUENCY_FIELDS, Agreement, Comparison, Test

BATCH_ONLY = frozenset(BATCH_KEY_FIELDS)
Keys = Mapping[str, Any]  # key field -> key ("" or None when blank); list fields as space-separated keys or a list


@dataclass(frozen=True)
class Weights:
    """A trained model reduced to what scoring needs: the prior and each level's match weight."""

    prior_log2_odds: float
    level_weights: tuple[tuple[float, ...], ...]  # per comparison, per non-null level (best first, "differ" last)
    exact_m: tuple[float, ...]  # per comparison, m of its exact level (for term-frequency adjustment)

    @classmethod
    def from_model(cls, model: Mapping[str, Any]) -> Weights:
        """From Splink's saved model JSON (as loaded by splink_model.load)."""
        prior = model["probability_two_random_records_match"]
        weights, exact_m = [], []
        for comparison, saved in zip(COMPARISONS, model["comparisons"], strict=True):
            levels = [level for level in saved["comparison_levels"] if not level.get("is_null_level")]
            if len(levels) != len(comparison.levels) + 1:
                raise ValueError(f"saved comparison {comparison.name} has {len(levels)} levels")
            weights.append(tuple(_weight(level) for level in levels))
            exact_m.append(levels[0].get("m_probability") or 0.0)
        return cls(math.log2(prior / (1 - prior)), tuple(weights), tuple(exact_m))


def _weight(level: Mapping[str, Any]) -> float:
    m, u = level.get("m_probability"), level.get("u_probability")
    if not m or not u:
        return 0.0  # untrained: no evidence either way (Splink would refuse to predict with it)
    return math.log2(m / u)


@dataclass(frozen=True)
class Score:
    """A pair's probability of being the same person, and how each compared feature agreed (never the values)."""

    probability: float
    match_weight: float
    agreements: dict[str, Agreement]
    levels: dict[str, str]  # the level's label, for the hub worker: "one typing slip apart", "same postcode"


def score_pair(
    keys_a: Keys,
    keys_b: Keys,
    model: Weights | Mapping[str, Any],
    frequencies: Mapping[str, float] | None = None,
) -> tuple[float, dict[str, Agreement]]:
    """(probability, agreements) for two records' linkage keys; see explain_pair for the full account."""
    score = explain_pair(keys_a, keys_b, model, frequencies)
    return score.probability, score.agreements


def explain_pair(
    keys_a: Keys,
    keys_b: Keys,
    model: Weights | Mapping[str, Any],
    frequencies: Mapping[str, float] | None = None,
) -> Score:
    """Score a pair and say, per comparison, which level it fell in and whether that means agree, partly or differ.

    `frequencies` (optional) gives, for "given" and "family", the share of stored records holding keys_a's value:
    an exact agreement then weighs log2(m / frequency), as Splink's term-frequency adjustment does, so agreeing on
    a rare name counts for more than agreeing on a common one. Without it, every exact agreement weighs the
    average (log2(m / u)). Keys may come from linkage_keys.linkage_keys (strings), from the batch command (integers and
    lists), or through prepare() (faster when one record is scored against many).
    """
    weights = model if isinstance(model, Weights) else Weights.from_model(model)
    a, b = prepare(keys_a), prepare(keys_b)
    total = weights.prior_log2_odds
    agreements: dict[str, Agreement] = {}
    labels: dict[str, str] = {}
    for i, (comparison, level_weights) in enumerate(zip(COMPARISONS, weights.level_weights, strict=True)):
        index = _level(comparison, a, b)
        if index is None:
            if not set(comparison.fields) <= BATCH_ONLY:  # the hub never holds these: nothing to tell its workers
                agreements[comparison.name], labels[comparison.name] = "missing", "missing"
            continue
        total += _adjusted(comparison.name, index, level_weights, weights.exact_m[i], frequencies)
        if index < len(comparison.levels):
            level = comparison.levels[index]
            agreements[comparison.name], labels[comparison.name] = level.agreement, level.label
        else:
            agreements[comparison.name], labels[comparison.name] = "differ", "differ"
    return Score(_probability(total), total, agreements, labels)


class Prepared(dict):
    """Keys ready for scoring: every key field present, blanks as None, key lists as frozensets."""


def prepare(keys: Keys) -> Prepared:
    """Keys in the form scoring compares: prepare a new referral once, then score it against every candidate."""
    if isinstance(keys, Prepared):
        return keys
    prepared = Prepared()
    for field in ALL_KEY_FIELDS:  # the batch-only ones are missing for the hub
        value = keys.get(field)
        if value is None or value == "" or (isinstance(value, list | tuple | set | frozenset) and not value):
            prepared[field] = None
        elif field in LIST_FIELDS:
            prepared[field] = frozenset(value.split(NEAR_SEPARATOR) if isinstance(value, str) else value)
        else:
            prepared[field] = value
    return prepared


def _adjusted(
    name: str, index: int, level_weights: tuple[float, ...], exact_m: float, frequencies: Mapping[str, float] | None
) -> float:
    frequency = (frequencies or {}).get(name)
    if index == 0 and name in TERM_FREQUENCY_FIELDS and frequency and exact_m:
        return math.log2(exact_m / frequency)
    return level_weights[index]


def level_index(comparison: Comparison, keys_a: Keys, keys_b: Keys) -> int | None:
    """The first level that holds (len(levels) for "differ"), or None when the feature is missing on either side."""
    return _level(comparison, prepare(keys_a), prepare(keys_b))


def _level(comparison: Comparison, a: Prepared, b: Prepared) -> int | None:
    fields = comparison.fields
    if all(a[f] is None for f in fields) or all(b[f] is None for f in fields):
        return None
    for index, level in enumerate(comparison.levels):
        for tests in level.any_of:
            if all(_holds(test, a, b) for test in tests):
                return index
    return len(comparison.levels)


def _holds(test: Test, a: Prepared, b: Prepared) -> bool:
    left, right = a[test.left], b[test.right]
    if left is None or right is None:
        return False  # as in SQL: NULL equals nothing, not even NULL
    if test.overlap:
        return not left.isdisjoint(right)
    return left == right


def _probability(match_weight: float) -> float:
    # 2^w / (1 + 2^w), written so a large |w| neither overflows nor loses the small probabilities.
    if match_weight >= 0:
        return 1.0 / (1.0 + 2.0**-match_weight)
    odds = 2.0**match_weight
    return odds / (1.0 + odds)


def candidate_blocks(keys: Keys) -> list[tuple[str, str]]:
    """The (key field, key) look-ups that find a new record's candidates among stored ones.

    Any stored record sharing one of these is scored. Each is one indexed equality, selective on its own: a phone,
    an email, an address, a postcode, a date of birth, or both names by sound. Together they find the same person
    after a move (date of birth, names), a new phone (email, date of birth), or a missing date of birth (postcode,
    names). Blank keys are never looked up.
    """
    fields = ("phone", "email", "dob", "address", "postcode", "names_metaphone")
    prepared = prepare(keys)
    return [(field, str(prepared[field])) for field in fields if prepared[field] is not None]
