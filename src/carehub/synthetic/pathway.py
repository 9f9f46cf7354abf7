"""What happened to each referral by the end of the data: triage, offer, a case, its length and how it closed.

Times are drawn for the whole journey and then cut at `now` (the end of the window), so statuses agree with time:
old referrals are closed or have cases, the newest are still received, in triage or offered. Case lengths mix a
mass at the commissioned support length (12, 26 or 52 weeks under the contract in force when the case opened)
with a lognormal spread and a tail past 26 weeks. Nothing links support length to later repeat referrals: an
analysis of the demo data should find no such effect, and can be checked on that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carehub.synthetic.codes import CaseStatus, ClosureReason
from carehub.synthetic.codes import ReferralStatus as Status
from carehub.synthetic.codes import ServiceType as T
from carehub.synthetic.directory import SERVICE_TYPES, Directory
from carehub.synthetic.sampling import DAY, HOUR, NA, bernoulli, choose, lognormal
from carehub.synthetic.timeline import seconds

ACCEPTED, CLOSED_AT_TRIAGE, WITHDRAWN = 0, 1, 2
REPEAT_WINDOW = 365 * DAY
MAX_CASE_DAYS = 540
CLOSURE_REASONS = {
    ClosureReason.COMPLETED: 0.55,
    ClosureReason.DISENGAGED: 0.2,
    ClosureReason.SURVIVOR_CHOICE: 0.09,
    ClosureReason.MOVED_AWAY: 0.06,
    ClosureReason.TRANSFERRED: 0.06,
    ClosureReason.OTHER: 0.04,
}
# Median days and spread of a case that did not run to its commissioned length, by closure reason.
LENGTHS = {
    ClosureReason.DISENGAGED: (30, 0.9),
    ClosureReason.SURVIVOR_CHOICE: (45, 0.8),
    ClosureReason.MOVED_AWAY: (55, 0.8),
    ClosureReason.TRANSFERRED: (40, 0.8),
    ClosureReason.OTHER: (60, 0.9),
}
TYPE_LENGTH = {T.HELPLINE: 0.3, T.ADVICE_LINE: 0.3, T.REFUGE: 1.4, T.COUNSELLING: 1.2, T.LEGAL_IMMIGRATION: 0.8}


@dataclass
class Journey:
    """Uncut times (seconds) for every referral, as if the data ran on for ever."""

    outcome: np.ndarray
    pickup: np.ndarray
    triaged: np.ndarray
    routed: np.ndarray
    accepted: np.ndarray
    opened: np.ndarray  # NA when the case closed from the waiting list
    case_end: np.ndarray
    reason: np.ndarray
    left_at: np.ndarray  # when a referral without a case ended (closed at triage, or withdrawn)
    withdrawn_early: np.ndarray  # withdrawn before triage was done


@dataclass
class Cases:
    referral: np.ndarray
    service: np.ndarray
    caseworker: np.ndarray  # index into staff members; NA while waiting
    status: np.ndarray
    accepted_at: np.ndarray
    opened_at: np.ndarray
    closed_at: np.ndarray
    closure_reason: np.ndarray
    sealed: np.ndarray

    def __len__(self) -> int:
        return len(self.referral)


@dataclass
class Outcome:
    """Referral fields as they stand at `now`, and the cases."""

    status: np.ndarray
    triaged_at: np.ndarray
    routed_at: np.ndarray
    routed_service: np.ndarray
    is_repeat: np.ndarray
    previous_referral: np.ndarray
    cases: Cases


def draw_journey(
    rng: np.random.Generator,
    directory: Directory,
    received: np.ndarray,
    service: np.ndarray,
    high_risk: np.ndarray,
    sealed: np.ndarray,
) -> Journey:
    n = len(received)
    outcome = rng.choice(3, size=n, p=[0.76, 0.14, 0.10])
    outcome[sealed] = np.where(bernoulli(rng, 0.9, int(sealed.sum())), ACCEPTED, WITHDRAWN)
    urgency = np.where(high_risk, 0.4, 1.0)
    # The hub picks up most referrals the same or the next working day; high risk first.
    pickup = received + _hours(np.clip(lognormal(rng, 8, 1.0, n) * urgency, 0.2, 96))
    triaged = pickup + _hours(np.clip(lognormal(rng, 20, 0.9, n) * urgency, 0.2, None))
    routed = triaged + _hours(np.clip(lognormal(rng, 18, 1.0, n) * urgency, 0.2, None))
    accepted = routed + _days(lognormal(rng, 2.5, 0.8, n) * urgency)
    wait_days = directory.wait_days[service]
    wait = _days(rng.gamma(2.0, np.maximum(wait_days, 0.5) / 2) * np.where(high_risk, 0.35, 1.0) + 0.2)
    opened = accepted + wait
    # Longer waits lose more people before a caseworker is free.
    lost_waiting = bernoulli(rng, 0.03 + 0.002 * wait_days, n)
    reason = choose(rng, CLOSURE_REASONS, n)
    reason[lost_waiting] = choose(rng, {ClosureReason.DISENGAGED: 0.6, ClosureReason.SURVIVOR_CHOICE: 0.4}, n)[
        lost_waiting
    ]
    length = _case_length(rng, directory, service, opened, reason)
    case_end = np.where(lost_waiting, accepted + (wait * rng.uniform(0.3, 0.95, n)).astype(np.int64), opened + length)
    opened = np.where(lost_waiting, NA, opened)
    withdrawn_early = (outcome == WITHDRAWN) & bernoulli(rng, 0.4, n) & ~sealed
    left_at = np.where(
        outcome == CLOSED_AT_TRIAGE,
        triaged + _days(lognormal(rng, 2, 0.8, n)),
        np.where(
            withdrawn_early,
            pickup + ((triaged - pickup) * rng.random(n)).astype(np.int64),
            routed + ((accepted - routed) * rng.random(n)).astype(np.int64),
        ),
    )
    left_at = np.where(outcome == ACCEPTED, NA, left_at)
    return Journey(outcome, pickup, triaged, routed, accepted, opened, case_end, reason, left_at, withdrawn_early)


def _hours(values: np.ndarray) -> np.ndarray:
    return (values * HOUR).astype(np.int64)


def _days(values: np.ndarray) -> np.ndarray:
    return (values * DAY).astype(np.int64)


def _case_length(
    rng: np.random.Generator, directory: Directory, service: np.ndarray, opened: np.ndarray, reason: np.ndarray
) -> np.ndarray:
    """Seconds from opening to closure."""
    n = len(service)
    current = opened >= seconds(directory.contract_switch)
    weeks = np.where(current, directory.weeks_now[service], directory.weeks_before[service])
    factor = np.ones(n)
    for code, f in TYPE_LENGTH.items():
        factor[directory.type_index[service] == SERVICE_TYPES.index(code)] = f
    days = np.empty(n)
    completed = reason == ClosureReason.COMPLETED
    at_commissioned = completed & bernoulli(rng, 0.4, n)
    days[:] = lognormal(rng, 1, 0.6, n) * (0.85 * 7 * weeks + 10) * factor
    days[at_commissioned] = (7 * weeks + rng.normal(0, 3, n))[at_commissioned]
    for code, (median, sigma) in LENGTHS.items():
        rows = reason == code
        days[rows] = lognormal(rng, median, sigma, int(rows.sum())) * factor[rows]
    # Few cases run past 18 months; none past MAX_CASE_DAYS, so data older than two years are all closed.
    return _days(np.clip(days, 1, MAX_CASE_DAYS) + rng.random(n) * 0.4)


def end_previous_cases(rng: np.random.Generator, journey: Journey, received: np.ndarray, previous: np.ndarray) -> None:
    """A survivor's case ends before her next referral arrives; cut the earlier case where it would overlap."""
    later = np.flatnonzero(previous != NA)
    earlier = previous[later]
    limit = received[later] - _days(rng.uniform(1, 10, len(later)))
    j = journey
    overlap = (j.outcome[earlier] == ACCEPTED) & (j.case_end[earlier] > limit)
    p, lim = earlier[overlap], limit[overlap]
    opened_in_time = (j.opened[p] != NA) & (j.opened[p] + 7 * DAY < lim)
    waiting_in_time = ~opened_in_time & (j.accepted[p] + DAY < lim)
    j.case_end[p] = np.where(opened_in_time | waiting_in_time, lim, j.case_end[p])
    closed_waiting = p[waiting_in_time]
    j.opened[closed_waiting] = NA
    j.reason[closed_waiting] = ClosureReason.SURVIVOR_CHOICE
    gone = p[~opened_in_time & ~waiting_in_time]  # barely accepted: treat as withdrawn before the case began
    j.outcome[gone] = WITHDRAWN
    j.left_at[gone] = np.maximum(lim[~opened_in_time & ~waiting_in_time], j.routed[gone])


def outcome_at(
    journey: Journey,
    now: int,
    received: np.ndarray,
    previous: np.ndarray,
    service: np.ndarray,
    sealed: np.ndarray,
) -> Outcome:
    """Cut every journey at `now`: what a snapshot of the hub's database would show."""
    j = journey
    accepted_path = j.outcome == ACCEPTED
    left = (j.outcome != ACCEPTED) & (j.left_at <= now)
    reached_routing = (j.outcome == ACCEPTED) | ((j.outcome == WITHDRAWN) & ~j.withdrawn_early)
    status = np.select(
        [
            left & (j.outcome == WITHDRAWN),
            left,
            now < j.pickup,
            now < j.triaged,
            (j.outcome == CLOSED_AT_TRIAGE) | (now < j.routed),
            now < j.accepted,
            accepted_path & (now < j.case_end),
            accepted_path,
        ],
        [
            Status.WITHDRAWN.value,
            Status.CLOSED.value,
            Status.RECEIVED.value,
            Status.IN_TRIAGE.value,
            Status.IN_TRIAGE.value,
            Status.OFFERED.value,
            Status.ACCEPTED.value,
            Status.CLOSED.value,
        ],
        default=Status.OFFERED.value,
    ).astype(object)
    triaged_seen = (j.triaged <= now) & ~j.withdrawn_early
    routed_seen = reached_routing & (j.routed <= now)
    # Repeat: within 12 months of the end of her previous case, or of her previous referral if no case followed.
    has_previous = previous != NA
    prev = np.where(has_previous, previous, 0)
    prev_end = np.where(j.outcome[prev] == ACCEPTED, j.case_end[prev], received[prev])
    is_repeat = has_previous & (received - prev_end <= REPEAT_WINDOW)
    return Outcome(
        status=status,
        triaged_at=np.where(triaged_seen, j.triaged, NA),
        routed_at=np.where(routed_seen, j.routed, NA),
        routed_service=np.where(routed_seen, service, NA),
        is_repeat=is_repeat,
        previous_referral=np.where(is_repeat, previous, NA),
        cases=_cases(j, now, service, sealed),
    )


def _cases(j: Journey, now: int, service: np.ndarray, sealed: np.ndarray) -> Cases:
    rows = np.flatnonzero((j.outcome == ACCEPTED) & (j.accepted <= now))
    opened = np.where((j.opened[rows] != NA) & (j.opened[rows] <= now), j.opened[rows], NA)
    closed = np.where(j.case_end[rows] <= now, j.case_end[rows], NA)
    status = np.select(
        [closed != NA, opened != NA], [CaseStatus.CLOSED.value, CaseStatus.OPEN.value], CaseStatus.WAITING.value
    )
    return Cases(
        referral=rows,
        service=service[rows],
        caseworker=np.full(len(rows), NA, dtype=np.int64),
        status=status.astype(object),
        accepted_at=j.accepted[rows],
        opened_at=opened,
        closed_at=closed,
        closure_reason=np.where(closed != NA, j.reason[rows], "").astype(object),
        sealed=sealed[rows],
    )


def allocate_caseworkers(rng: np.random.Generator, cases: Cases, pools: list[np.ndarray]) -> None:
    """Each case that has opened has a caseworker from its service's pool; a waiting case has none yet."""
    opened = cases.opened_at != NA
    u = rng.random(len(cases))
    for s in np.unique(cases.service):
        rows = np.flatnonzero(opened & (cases.service == s))
        pool = pools[s]
        cases.caseworker[rows] = pool[(u[rows] * len(pool)).astype(np.int64)]
