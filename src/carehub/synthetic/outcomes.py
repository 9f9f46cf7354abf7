"""Outcome measures at the start of support and at closure (cases.models.OutcomeMeasure), as arrays.

Starting scores are low (1-10 scales: how safe she feels, wellbeing, quality of life, confidence in knowing where to
get help); closing scores rise most for support that was completed, little for support she left. Change depends on
how support ended, not on its length: like repeat referrals, any effect of longer support is left for real data to
show. Many closing measures are missing when she disengaged or moved away, as they are in practice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carehub.synthetic.codes import AbuseChange, ClosureReason, NotAnswered
from carehub.synthetic.directory import ABUSE_TYPES
from carehub.synthetic.pathway import Cases
from carehub.synthetic.sampling import DAY, NA, bernoulli, choose

SCALES = ("feels_safe", "wellbeing", "quality_of_life", "confidence_help")
START_MEANS = (3.8, 4.2, 4.5, 4.8)
IMPROVEMENT = {ClosureReason.COMPLETED: 2.4, ClosureReason.TRANSFERRED: 1.3}  # mean change; otherwise OTHER_CHANGE
OTHER_CHANGE = 0.6
CLOSING_ANSWERED = {
    ClosureReason.COMPLETED: 0.8,
    ClosureReason.TRANSFERRED: 0.6,
    ClosureReason.SURVIVOR_CHOICE: 0.5,
    ClosureReason.OTHER: 0.4,
    ClosureReason.MOVED_AWAY: 0.3,
    ClosureReason.DISENGAGED: 0.12,
}
ABUSE_CHANGE_COMPLETED = {
    AbuseChange.STOPPED: 0.3,
    AbuseChange.REDUCED: 0.42,
    AbuseChange.UNCHANGED: 0.22,
    AbuseChange.WORSE: 0.06,
}
ABUSE_CHANGE_OTHER = {
    AbuseChange.STOPPED: 0.15,
    AbuseChange.REDUCED: 0.3,
    AbuseChange.UNCHANGED: 0.43,
    AbuseChange.WORSE: 0.12,
}


@dataclass
class Measures:
    """One row per measure: `case` indexes the plan's cases."""

    case: np.ndarray
    stage: np.ndarray
    not_answered: np.ndarray
    scores: np.ndarray  # (measures, 4), NA where not answered
    abuse: np.ndarray  # JSON text: {"physical": "reduced", ...} at closure, {} at the start
    recorded_at: np.ndarray

    def __len__(self) -> int:
        return len(self.case)


def draw_measures(rng: np.random.Generator, cases: Cases, abuse_mask: np.ndarray, now: int) -> Measures:
    """Start measures for cases that opened (a few days in), closing measures for cases that closed after opening."""
    n = len(cases)
    opened = cases.opened_at != NA
    start_at = cases.opened_at + (rng.random(n) * 7 * DAY).astype(np.int64)
    has_start = opened & (start_at <= now)
    has_start &= np.where(cases.closed_at != NA, start_at <= cases.closed_at, True)
    has_close = opened & (cases.closed_at != NA)
    start = np.clip(np.rint(rng.normal(START_MEANS, 1.8, (n, 4))), 1, 10)
    gain = np.array([IMPROVEMENT.get(r, OTHER_CHANGE) for r in cases.closure_reason.tolist()])
    close = np.clip(np.rint(start + rng.normal(gain[:, None], 1.8, (n, 4))), 1, 10)
    start_answered = bernoulli(rng, 0.88, n)
    close_rate = np.array([CLOSING_ANSWERED.get(r, 0.5) for r in cases.closure_reason.tolist()])
    close_answered = bernoulli(rng, close_rate, n)
    why_not = choose(rng, {NotAnswered.DECLINED: 0.4, NotAnswered.UNREACHABLE: 0.6}, n)
    why_not_closing = np.where(
        cases.closure_reason == ClosureReason.DISENGAGED, NotAnswered.UNREACHABLE.value, why_not
    ).astype(object)
    completed = cases.closure_reason == ClosureReason.COMPLETED
    abuse = _abuse_changes(rng, abuse_mask, completed, close_answered)

    rows_start, rows_close = np.flatnonzero(has_start), np.flatnonzero(has_close)
    return Measures(
        case=np.concatenate([rows_start, rows_close]),
        stage=np.array(["start"] * len(rows_start) + ["closure"] * len(rows_close), dtype=object),
        not_answered=np.concatenate(
            [
                np.where(start_answered, "", why_not)[rows_start],
                np.where(close_answered, "", why_not_closing)[rows_close],
            ]
        ).astype(object),
        scores=np.vstack(
            [
                np.where(start_answered[:, None], start, NA)[rows_start],
                np.where(close_answered[:, None], close, NA)[rows_close],
            ]
        ).astype(np.int64),
        abuse=np.concatenate([np.full(len(rows_start), "{}", dtype=object), abuse[rows_close]]),
        recorded_at=np.concatenate([start_at[rows_start], cases.closed_at[rows_close]]),
    )


def _abuse_changes(
    rng: np.random.Generator, abuse_mask: np.ndarray, completed: np.ndarray, answered: np.ndarray
) -> np.ndarray:
    """At closure, for each abuse type she was referred with: stopped, reduced, unchanged or worse."""
    n = len(abuse_mask)
    changes = np.where(
        completed[:, None],
        choose(rng, ABUSE_CHANGE_COMPLETED, n * len(ABUSE_TYPES)).reshape(n, -1),
        choose(rng, ABUSE_CHANGE_OTHER, n * len(ABUSE_TYPES)).reshape(n, -1),
    )
    out = np.full(n, "{}", dtype=object)
    for i in np.flatnonzero(answered).tolist():
        mask, row = int(abuse_mask[i]), changes[i]
        out[i] = "{" + ", ".join(f'"{code}": "{row[k]}"' for k, code in enumerate(ABUSE_TYPES) if mask >> k & 1) + "}"
    return out
