"""What a commissioning run assumes, as settings with their sources rather than constants in code.

Every figure a commissioner may want to argue with (a planning norm, the cost of a caseworker, the wait target, the
month a recording system changed) lives here, so a report can print what it assumed and a council can change it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# Census 2021 TS021 usual residents per London authority, by ethnic group (see ../specs/data/SOURCE.md).
CENSUS_2021_LONDON = str(
    Path(__file__).resolve().parent.parent / "specs" / "data" / "london_population_ethnicity_2021.csv"
)


@dataclass(frozen=True)
class PlanningNorm:
    """A sector benchmark shown beside the measured rate; `source` is printed with it."""

    name: str
    value: float
    unit: str
    source: str


DEFAULT_NORMS = (
    PlanningNorm(
        "marac_cases",
        40.0,
        "MARAC cases per 10,000 adult women a year",
        "SafeLives, MARAC recommended level of cases (safelives.org.uk, 'Marac data')",
    ),
    PlanningNorm(
        "idva_caseload",
        100.0,
        "referrals a year for one full-time IDVA",
        "SafeLives, 'A Safe Fund' / IDVA caseload guidance (about 100 cases a year per full-time IDVA)",
    ),
)


@dataclass(frozen=True)
class ChangePoint:
    """A break in a series: a month from which counting changed (a new recording system, a service opening).

    `mode` says what the forecast does with it, explicitly rather than fitting through it silently:
    - "adjust": months before the break are rescaled by the level shift across it, estimated as the step in a
      regression of log demand on trend and calendar months over the years either side (so growth is not mistaken
      for the break, and surges are left out). Needs 12 months before and 12 after; otherwise falls back to
      "restart".
    - "restart": the months before the break are not used at all.
    """

    month: str  # "YYYY-MM", the first month counted the new way
    mode: str = "adjust"
    reason: str = ""


@dataclass(frozen=True)
class KnownEvent:
    """Months with a known cause of extra demand (a major football tournament): a flag there is named, not news."""

    name: str
    months: tuple[str, ...]


DEFAULT_EVENTS = (
    KnownEvent("FIFA World Cup 2018", ("2018-06", "2018-07")),
    KnownEvent("UEFA Euro 2020 (played 2021)", ("2021-06", "2021-07")),
    KnownEvent("FIFA World Cup 2022", ("2022-11", "2022-12")),
    KnownEvent("UEFA Euro 2024", ("2024-06", "2024-07")),
    KnownEvent("FIFA World Cup 2026", ("2026-06", "2026-07")),
)


@dataclass(frozen=True)
class Settings:
    norms: tuple[PlanningNorm, ...] = DEFAULT_NORMS
    # Census 2021 TS021 counts all usual residents; women aged 16 and over were about 41% of London's residents
    # (Census 2021 TS009, sex by single year of age). Applied per borough: an approximation, printed as such.
    adult_women_share: float = 0.41
    adult_women_source: str = "Census 2021 TS021 residents x 0.41 (London women 16+, Census 2021 TS009)"
    # Rows of (borough ONS code, borough_name, population); the rate's denominator is their sum per borough times
    # `adult_women_share`. Another area's census file in the same columns makes the rates that area's.
    population_file: str = CENSUS_2021_LONDON
    wait_target_days: float = 14.0
    wait_target_probability: float = 0.90
    cost_per_fte: float = 42_000.0  # salary with on-costs: a default; each commissioner sets her own area's figure
    cost_source: str = "setting: salary with on-costs for one full-time caseworker (set per area)"
    caseload_per_fte: float = 20.0  # cases one full-time caseworker carries at once
    change_points: tuple[ChangePoint, ...] = ()
    events: tuple[KnownEvent, ...] = DEFAULT_EVENTS
    forecast_horizon: int = 12
    suppression_threshold: int = 10
    # Cell-key perturbation (protect.py): every published count changes by at most `perturbation_max` either way,
    # mean zero, with this variance. Three and 2.0: the changes left after subtracting one table from another (the sum
    # of a few dozen such changes) spread over far more than 1..9, so a hidden count is not recovered, while a count at
    # the threshold moves by at most 3 and the typical change (sd 1.4) is that of rounding to base 5 (variance 2), the
    # rounding UK statistics have long used, without its bias or its exact totals.
    perturbation_max: int = 3
    perturbation_variance: float = 2.0
    # Keys the record keys' hash when the extract carries none (protect.record_keys); the publishing site sets it from
    # its own secret (commissioning.services.run_settings), so a reader cannot work out the keys. Not printed.
    record_key_secret: str = field(default="", repr=False)
    simulation_runs: int = 200
    seed: int = 15
    backtest_origins: int = 6  # rolling origins x candidates ETS fits: six give MASE over 72 forecasts a candidate
    candidates: tuple[str, ...] = field(default=("ets_damped", "ets_trend", "ets_level"))
