"""Synthetic monthly demand with planted patterns, and referral-level extracts built on it, for tests and benchmarks.

Planted, so that a test can ask whether each one is found: a year-on-year rise, a sustained surge of known size and
start (like the 2020 lockdowns), December peaks, major-football-tournament peaks, and one recording break (a new
system that counts fewer referrals from its first month). Same seed, same series. No Django.

The tournaments are the analysis's list of known events (carehub.insight.commissioning.settings.DEFAULT_EVENTS),
copied as months into codes.TOURNAMENT_MONTHS and held to it by tests/synthetic/test_codes.py: a generator imports
no other part of Care Hub, so a notebook draws demand without the engine that is to find it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from carehub.synthetic.codes import TOURNAMENT_MONTHS


@dataclass(frozen=True)
class Plants:
    """What was planted where: the truth a test checks the analysis against."""

    surge_months: tuple[str, ...]
    surge_size: float
    event_months: tuple[str, ...]
    event_size: float
    break_month: str
    break_size: float
    yearly_growth: float


@dataclass(frozen=True)
class Series:
    months: tuple[str, ...]
    counts: np.ndarray
    plants: Plants  # the recording break is `plants.break_month`: an analysis declares it as a change point


def month_labels(start: str, count: int) -> tuple[str, ...]:
    """`count` months from `start`, as "YYYY-MM"."""
    year, month = map(int, start.split("-"))
    labels = []
    for i in range(count):
        y, m = divmod(month - 1 + i, 12)
        labels.append(f"{year + y:04d}-{m + 1:02d}")
    return tuple(labels)


def monthly_series(
    *,
    seed: int = 1,
    start: str = "2016-01",
    months: int = 108,
    base: float = 600.0,
    yearly_growth: float = 0.06,
    surge: tuple[str, int, float] = ("2020-04", 9, 0.35),
    event_size: float = 0.25,
    december: float = 0.15,
    recording_break: tuple[str, float] = ("2022-10", -0.30),
) -> Series:
    """Monthly referral counts (Poisson around a planted mean) and what was planted in them."""
    labels = month_labels(start, months)
    index = np.arange(months)
    mean = base * (1 + yearly_growth) ** (index / 12)
    calendar = np.array([int(label[5:]) for label in labels])
    mean = mean * (1 + 0.04 * np.sin(2 * np.pi * (calendar - 4) / 12))  # a mild spring/summer swell
    mean = mean * np.where(calendar == 12, 1 + december, 1.0)
    event_months = tuple(m for m in TOURNAMENT_MONTHS if m in labels)
    mean = mean * np.where(np.isin(labels, event_months), 1 + event_size, 1.0)
    surge_start = labels.index(surge[0])
    surge_months = labels[surge_start : surge_start + surge[1]]
    mean = mean * np.where(np.isin(labels, surge_months), 1 + surge[2], 1.0)
    break_index = labels.index(recording_break[0])
    mean = mean * np.where(index >= break_index, 1 + recording_break[1], 1.0)
    counts = np.random.default_rng(seed).poisson(mean)
    plants = Plants(
        surge_months, surge[2], event_months, event_size, recording_break[0], recording_break[1], yearly_growth
    )
    return Series(labels, counts, plants)


CHANNELS = ("police", "self", "health", "other_agency")
NEEDS = ("idva", "counselling", "helpline", "refuge")
SERVICE_TYPES = ("idva", "counselling", "helpline", "refuge")
RISK = ("standard", "medium", "high")
BOROUGHS = tuple(f"E09{n:06d}" for n in range(1, 34))
DECLINE_REASONS = (
    "no_capacity",
    "outside_eligibility",
    "nrpf_not_accepted",
    "language_not_available",
    "survivor_declined",
    "could_not_contact",
    "other",
)


def referral_extract(series: Series, *, seed: int = 2, end_of_data: str | None = None) -> dict[str, pa.Table]:
    """Referral- and offer-level tables in the shape `carehub extract` writes, one referral per counted one.

    Waits are exponential with stage means of a few weeks; referrals received near the end of the data are still
    waiting (censored), as real ones are, so a naive median of completed waits is too short.
    """
    rng = np.random.default_rng(seed)
    total = int(series.counts.sum())
    month_of = np.repeat(np.arange(len(series.months)), series.counts)
    starts = np.array([np.datetime64(m + "-01", "D") for m in series.months])
    month_days = np.diff(np.append(starts, starts[-1] + 31)).astype(np.int64)
    received = starts[month_of] + (rng.random(total) * month_days[month_of]).astype("timedelta64[D]")
    end = np.datetime64(end_of_data, "D") if end_of_data else starts[-1] + month_days[-1]
    observed = (end - received).astype(np.float64)
    people = rng.integers(0, int(total * 0.8), total)
    need = rng.choice(len(NEEDS), total, p=[0.45, 0.25, 0.2, 0.1])
    to_offer = rng.exponential(6.0, total) * np.where(need == 1, 3.0, 1.0)  # counselling waits longest
    to_accept = to_offer + rng.exponential(4.0, total)
    to_contact = to_accept + rng.exponential(2.0, total)
    to_allocate = to_contact + rng.exponential(5.0, total)

    def censor(days: np.ndarray) -> pa.Array:
        return pa.array(np.where(days <= observed, days, np.nan), pa.float64(), from_pandas=True)

    # Its own stream, so adding it changed none of the other columns.
    support_days = np.random.default_rng(seed + 1000).gamma(2.0, 35.0, total)
    record_rng = np.random.default_rng(seed + 2000)
    closed = to_allocate + support_days <= observed
    wants = rng.random(total) < 0.12
    referrals = pa.table(
        {
            "referral_key": pa.array([f"r{i:09d}" for i in range(total)]),
            "survivor_key": pa.array([f"s{p:09d}" for p in people]),
            "received_at": pa.array(received.astype("datetime64[us]"), pa.timestamp("us")).cast(
                pa.timestamp("us", tz="UTC")
            ),
            "borough": pa.array(np.array(BOROUGHS)[rng.integers(0, len(BOROUGHS), total)]),
            "channel": pa.array(np.array(CHANNELS)[rng.choice(4, total, p=[0.45, 0.25, 0.15, 0.15])]),
            "need": pa.array(np.array(NEEDS)[need]),
            "risk_level": pa.array(np.array(RISK)[rng.choice(3, total, p=[0.45, 0.35, 0.2])]),
            "wants_by_and_for": pa.array(wants),
            "offered_by_and_for": pa.array(wants & (rng.random(total) < 0.245)),
            "days_to_offer": censor(to_offer),
            "days_to_acceptance": censor(to_accept),
            "days_to_first_contact": censor(to_contact),
            "days_to_allocation": censor(to_allocate),
            "days_observed": pa.array(observed),
            # Support lasts about ten weeks once she has a caseworker; None until her case has closed.
            "support_weeks": pa.array(np.where(closed, support_days / 7, np.nan), pa.float64(), from_pandas=True),
            # Record keys for cell-key perturbation, 0..255 and uniform, as a keyed hash gives them (their own
            # stream, so adding them changed none of the other columns); a person's key is the same on each referral.
            "record_key": pa.array(record_rng.integers(0, 256, total)),
            "person_record_key": pa.array(record_rng.integers(0, 256, max(int(total * 0.8), 1))[people]),
        }
    )
    offered = to_offer <= observed
    keys = np.flatnonzero(offered)
    declined = rng.random(len(keys)) < 0.3
    reason = np.where(
        declined, rng.choice(len(DECLINE_REASONS), len(keys), p=[0.4, 0.15, 0.1, 0.05, 0.15, 0.1, 0.05]), -1
    )
    offers = pa.table(
        {
            "referral_key": referrals["referral_key"].take(pa.array(keys)),
            "service_type": pa.array(np.array(SERVICE_TYPES)[need[keys]]),
            "by_and_for": pa.array(referrals["offered_by_and_for"].to_numpy()[keys]),
            "status": pa.array(np.where(declined, "declined", "accepted")),
            "decline_reason": pa.array(np.where(reason >= 0, np.array(DECLINE_REASONS)[np.maximum(reason, 0)], "")),
            "record_key": pa.array(record_rng.integers(0, 256, len(keys))),
        }
    )
    return {"referrals": referrals, "offers": offers}
