"""A planted effect of longer support on repeat referrals, so the demo database carries a known answer (issue 16).

`carehub insight.duration` asks whether support longer than 12 weeks prevents repeat referrals. The seeded data
answer it by construction, with the duration simulator's own process (insight.duration.simulate.plant): for every
episode of support (an unsealed case that opened), support ends by the weekly model in which high risk and MARAC
keep women in support longer, her hazard of a repeat referral rises with risk, and each extra block of support
lowers it after support ends by the planted hazard ratio. Her first repeat referral is then made real: the first
referral received at or after that moment (and not already someone's) becomes a later referral of the same
survivor, whose own survivor record, now empty, is dropped. So her next referral after the start of support is
exactly the planted one, and the true answer (her 52-week risk under 12 and under 26 weeks of support, from the
same random numbers) is known for the same women the extract holds.

What changes from the unplanted demo: repeat referrals come from this process only (the timeline's own later
referrals are turned off), support lengths are drawn by it, and a case closes as "moved away" or "she died" only
when the planted competing event ends support.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from carehub.cases.models import ClosureReason
from carehub.insight.duration.simulate import HORIZON_DAYS, Planted, plant
from carehub.synthetic.intake import Intake, _age_bands, _ages
from carehub.synthetic.pathway import ACCEPTED, Journey
from carehub.synthetic.population import Survivors
from carehub.synthetic.sampling import DAY, HOUR, NA
from carehub.synthetic.timeline import Linkage

COMPETING_REASONS = np.array([ClosureReason.MOVED_AWAY.value, ClosureReason.DIED.value], dtype=object)
LATEST_PLACEMENT = 7 * DAY  # a repeat is placed on the first free referral at most this long after its moment


def plant_repeats(
    rng: np.random.Generator,
    planted: Planted,
    *,
    journey: Journey,
    linkage: Linkage,
    survivors: Survivors,
    intake: Intake,
    high: np.ndarray,
    received: np.ndarray,
    sealed: np.ndarray,
    now: int,
) -> tuple[Survivors, Linkage, dict]:
    """Redraw support and place repeat referrals for every episode; returns the survivors and linkage that result
    and the truth. `journey` and `intake` are changed in place. `linkage` must have no later referrals yet."""
    episodes = np.flatnonzero(
        (journey.outcome == ACCEPTED) & (journey.opened != NA) & (journey.opened <= now) & ~sealed
    )
    ages = intake.ages[episodes]
    confounders = {
        "risk": np.where(high[episodes], 2, 0),
        "dash": intake.risk.score[episodes],
        "marac": high[episodes],
        "needs": np.array([bin(int(m)).count("1") for m in intake.needs_mask[episodes].tolist()]),
        "age": np.where((ages != NA) & (ages >= 45), 3, 0),
    }
    course = plant(rng, confounders, planted)
    opened = journey.opened[episodes]
    competing = course.competing_at < course.support_days
    ends_after = np.where(competing, course.competing_at, course.support_days)
    journey.case_end[episodes] = opened + np.maximum((ends_after * DAY).astype(np.int64), HOUR)
    reason = journey.reason[episodes].astype(object)
    reason[np.isin(reason, COMPETING_REASONS)] = ClosureReason.COMPLETED.value  # only a planted event says so
    reason[competing] = COMPETING_REASONS[course.competing_kind[competing]]
    journey.reason[episodes] = reason

    repeat = course.repeat_day(course.support_days, planted)
    target = opened + np.where(np.isfinite(repeat), np.minimum(repeat, 1e5) * DAY, np.inf)
    survivor = linkage.survivor.copy()
    placed = _place(target, episodes, received, sealed, survivor, now)
    survivors, linkage = _without_empty_survivors(survivors, linkage, survivor)
    moved = np.flatnonzero(placed)
    intake.ages[moved] = _ages(survivors, linkage.survivor[moved], received[moved])
    intake.age_band[moved] = _age_bands(intake.ages[moved], survivors.age_withheld[linkage.survivor[moved]])
    truth = course.truth(planted)
    truth |= {
        "episodes": int(episodes.size),
        "risk_as_supported": float(np.mean(repeat < HORIZON_DAYS)),  # with the support each actually had
        "repeats_placed": int(placed.sum()),
    }
    return survivors, linkage, truth


def _place(target, episodes, received, sealed, survivor, now) -> np.ndarray:
    """Make, for each episode in order of receipt, the first free referral at or after its target a later referral
    of her survivor. Episodes come in order of their referral, so hers already belongs to her survivor when its
    own repeat is placed, and the referral taken (received after her support began) has no repeats of its own yet:
    each survivor's referrals form one chain in which every episode's next referral is its own planted repeat."""
    n = received.size
    free = list(range(n + 1))  # free[i]: a step towards the first free referral at or after i (path halving)
    for i in np.flatnonzero(sealed).tolist():
        free[i] = i + 1
    start = np.searchsorted(received, target, side="left").tolist()
    times = received.tolist()
    placed = np.zeros(n, dtype=bool)
    for k in np.flatnonzero(np.isfinite(target) & (target < now)).tolist():
        j = start[k]
        while free[j] != j:
            free[j] = free[free[j]]
            j = free[j]
        if j >= n or times[j] > now or times[j] - target[k] > LATEST_PLACEMENT:
            continue
        free[j] = j + 1
        survivor[j] = survivor[episodes[k]]
        placed[j] = True
    return placed


def _without_empty_survivors(survivors: Survivors, linkage: Linkage, survivor: np.ndarray) -> tuple[Survivors, Linkage]:
    """Drop the survivor records left with no referral, renumber, and find each referral's previous one again."""
    keep = np.zeros(len(survivors), dtype=bool)
    keep[survivor] = True
    number = np.cumsum(keep) - 1
    fields = {}
    for f in dataclasses.fields(survivors):
        value = getattr(survivors, f.name)
        fields[f.name] = {k: v[keep] for k, v in value.items()} if isinstance(value, dict) else value[keep]
    survivor = number[survivor]
    order = np.lexsort((np.arange(survivor.size), survivor))
    previous = np.full(survivor.size, NA, dtype=np.int64)
    same = survivor[order[1:]] == survivor[order[:-1]]
    previous[order[1:][same]] = order[:-1][same]
    linkage = Linkage(survivor=survivor, previous=previous, first_referral=linkage.first_referral[keep])
    return Survivors(**fields), linkage
