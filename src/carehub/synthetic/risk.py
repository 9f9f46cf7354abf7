"""Risk as triage would record it: a DASH checklist per referral, and MARAC by the app's own rules.

Answers are drawn so that their "yes" count follows a plausible spread (heavier with violence, threats or stalking)
and the questions answered "yes" fit the abuse (injury and weapons with physical abuse, stalking with stalking...).
MARAC then follows carehub.referrals.dash: 14 or more "yes", professional judgement, 3 or more police call-outs in
12 months, or a repeat within 12 months of her last MARAC referral make her high risk and a MARAC referral.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from carehub.synthetic.codes import DASH_ANSWERS as ANSWERS
from carehub.synthetic.codes import DASH_QUESTION_COUNT as QUESTION_COUNT
from carehub.synthetic.codes import AbuseType as A
from carehub.synthetic.codes import Channel
from carehub.synthetic.directory import ABUSE_TYPES
from carehub.synthetic.sampling import DAY, NA, bernoulli

HIGH_RISK_THRESHOLD = 14  # SafeLives, and the app's default (settings.DASH_HIGH_RISK_THRESHOLD)
ESCALATION_CALLOUTS = 3
# DASH questions (1-based) made more likely to be "yes" by an abuse type.
QUESTION_LEANINGS: dict[str, tuple[int, ...]] = {
    A.PHYSICAL: (1, 13, 15),
    A.THREATENING: (2, 3, 14),
    A.STALKING: (8, 10),
    A.SEXUAL: (16,),
    A.ECONOMIC: (20,),
    A.COERCIVE_CONTROL: (4, 12),
}
# '"7": "yes"' and the like: the pieces every answers JSON is joined from.
_ANSWER_PARTS = np.array([[f'"{q + 1}": "{a}"' for a in ANSWERS] for q in range(QUESTION_COUNT)], dtype=object)
JUDGEMENT_REASONS = (
    "Escalation described by the referrer",
    "Recent separation and threats through third parties",
    "Fear disproportionate to the answers given",
)


@dataclass
class Risk:
    answers: np.ndarray  # (referrals, 24): index into ANSWERS ("yes", "no", "dont_know")
    score: np.ndarray
    judged_high: np.ndarray  # professional judgement, below the threshold
    callouts: np.ndarray  # police call-outs in the past 12 months

    @property
    def visible_high(self) -> np.ndarray:
        return self.score >= HIGH_RISK_THRESHOLD

    def answers_json(self, rows: slice | np.ndarray) -> list[str]:
        """The checklist as DashAssessment.answers stores it: {"1": "yes", ...} (built from fixed parts: fast)."""
        parts = _ANSWER_PARTS[np.arange(QUESTION_COUNT), self.answers[rows]]
        return ["{" + ", ".join(row) + "}" for row in parts.tolist()]

    def reasons(self, rows: slice | np.ndarray, repeat: np.ndarray) -> list[str]:
        """Why each was high risk, in the words carehub.referrals.dash.assess records (JSON lists)."""
        score, judged, callouts = self.score[rows], self.judged_high[rows], self.callouts[rows]
        out = np.full(len(score), "[]", dtype=object)
        high = (score >= HIGH_RISK_THRESHOLD) | judged | (callouts >= ESCALATION_CALLOUTS) | repeat
        for i in np.flatnonzero(high).tolist():
            reasons = []
            if score[i] >= HIGH_RISK_THRESHOLD:
                reasons.append(f"visible high risk: {score[i]} 'yes' answers (threshold {HIGH_RISK_THRESHOLD})")
            if judged[i]:
                reasons.append("professional judgement")
            if callouts[i] >= ESCALATION_CALLOUTS:
                reasons.append(
                    f"potential escalation: {callouts[i]} police call-outs in 12 months "
                    f"(threshold {ESCALATION_CALLOUTS})"
                )
            if repeat[i]:
                reasons.append("repeat: a new incident within 12 months of the last MARAC referral")
            out[i] = json.dumps(reasons)
        return out.tolist()

    def judgement_reason(self, rows: slice | np.ndarray) -> list[str]:
        return [
            JUDGEMENT_REASONS[i % len(JUDGEMENT_REASONS)] if j else "" for i, j in enumerate(self.judged_high[rows])
        ]


def draw_risk(rng: np.random.Generator, abuse: np.ndarray, channel: np.ndarray) -> Risk:
    n = len(abuse)
    p = rng.beta(1.8, 4.2, n)
    for code, lift in ((A.PHYSICAL, 0.07), (A.THREATENING, 0.05), (A.STALKING, 0.04), (A.SEXUAL, 0.03)):
        p += lift * ((abuse >> ABUSE_TYPES.index(code)) & 1)
    score = rng.binomial(QUESTION_COUNT, np.clip(p, 0, 1))
    # Which questions are "yes": the `score` most likely for her abuse; of the rest, some "don't know".
    weight = rng.random((n, QUESTION_COUNT))
    for code, questions in QUESTION_LEANINGS.items():
        has = ((abuse >> ABUSE_TYPES.index(code)) & 1).astype(bool)
        for q in questions:
            weight[has, q - 1] += 0.6
    rank = np.argsort(np.argsort(-weight, axis=1), axis=1)
    answers = np.where(rank < score[:, None], 0, np.where(rng.random((n, QUESTION_COUNT)) < 0.08, 2, 1))
    judged_high = (score < HIGH_RISK_THRESHOLD) & bernoulli(rng, 0.04, n)
    callouts = rng.poisson(np.where(channel == Channel.SELF, 0.2, 0.6), n)
    return Risk(answers.astype(np.int8), score, judged_high, callouts)


def marac_decisions(
    rng: np.random.Generator, risk: Risk, received: np.ndarray, previous: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """High risk (= MARAC referral) per referral, and whether it is a MARAC repeat.

    A repeat is a new referral by the same perpetrator (about two in three here) within 12 months of her previous
    referral that went to MARAC. Referrals are resolved in chain order, since each depends on the one before.
    """
    n = len(received)
    same_perpetrator = bernoulli(rng, 0.65, n)
    high = risk.visible_high | risk.judged_high | (risk.callouts >= ESCALATION_CALLOUTS)
    repeat = np.zeros(n, dtype=bool)
    depth = np.zeros(n, dtype=np.int64)
    has_previous = previous != NA
    for i in np.flatnonzero(has_previous):  # previous[i] < i, so one pass in order gives every depth
        depth[i] = depth[previous[i]] + 1
    for level in range(1, int(depth.max(initial=0)) + 1):
        rows = np.flatnonzero(depth == level)
        prev = previous[rows]
        repeat[rows] = high[prev] & same_perpetrator[rows] & (received[rows] - received[prev] <= 365 * DAY)
        high[rows] |= repeat[rows]
    return high, repeat
