"""Demand against population: referrals per 10,000 adult women by borough, beside the sector's planning norms.

A rate is a count of people over a population, so its uncertainty is the count's: the interval is the exact
(Garwood) Poisson interval on the count, from the chi-squared distribution, divided by the population. It holds for
small counts where a normal approximation gives negative lower limits. The populations are Census 2021 (TS021
usual residents per borough, shipped with the equality specifications) times the adult-women share in `Settings`;
which norms are shown, and their sources, are settings too, never numbers in this module.

Counts are published by the same rule as every other table (`protect`: cell-key perturbation, then counts under
the threshold hidden; London's total on its own key): the rate, its interval and the caseworkers it implies are
computed from the published count, and a hidden count hides them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from scipy.stats import chi2

from . import protect, queries
from .settings import Settings

PER = 10_000
ALL_LONDON = "all"


@dataclass(frozen=True)
class Rate:
    count: int
    population: float
    rate: float  # per `per` people (a year, when the count is a year's)
    low: float
    high: float


def poisson_interval(count: int, alpha: float = 0.05) -> tuple[float, float]:
    """The exact (Garwood) interval for a Poisson count: chi-squared quantiles, lower limit 0 for a count of 0."""
    low = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return low, high


def rate(count: int, population: float, *, per: int = PER, alpha: float = 0.05) -> Rate:
    """Count per `per` people with its exact Poisson interval (the population is taken as known)."""
    if population <= 0:
        raise ValueError("a rate needs a population above zero")
    low, high = poisson_interval(count, alpha)
    scale = per / population
    return Rate(count, population, count * scale, low * scale, high * scale)


def adult_women(settings: Settings) -> dict[str, float]:
    """Adult women per borough (ONS code): Census 2021 usual residents x the adult-women share (both settings)."""
    frame = pd.read_csv(Path(settings.population_file), usecols=["borough", "population"])
    totals = frame.groupby("borough").population.sum()
    return {str(code): float(people) * settings.adult_women_share for code, people in totals.items()}


def borough_names(settings: Settings) -> dict[str, str]:
    """ONS code to name, from the same census file (the library reads no other part of Care Hub)."""
    frame = pd.read_csv(Path(settings.population_file), usecols=["borough", "borough_name"]).drop_duplicates()
    return dict(zip(frame.borough.astype(str), frame.borough_name, strict=True))


def borough_rates_from_cube(
    cube: pd.DataFrame,
    settings: Settings,
    populations: dict[str, float] | None = None,
    names: dict[str, str] | None = None,
) -> dict:
    """Referrals in the last 12 months per 10,000 adult women, by borough and for London, suppressed, with the
    norms, from the run's demand cube (referrals and their cell keys per month number and borough,
    `queries.demand_cube`): the last 12 months of data are the cube's last 12 month numbers, so no query is needed,
    and each borough's count is published on the key of its referrals in those months.

    A referral whose borough is not known (blank) has a row with a count and no rate (a rate over the wrong people
    is worse than none); she is counted in London's total, whose population is the sum of the boroughs'."""
    last = int(cube.month.max())
    window = cube[cube.month > last - 12]
    frame = window.groupby(window.borough.fillna(""), sort=True)[["referrals", "ckey"]].sum()
    counts = {str(b or ""): int(n) for b, n in frame.referrals.items()}
    keys = {str(b or ""): int(k) % protect.KEYS for b, k in frame.ckey.items()}  # the cells' keys summed
    first = queries.month_label(last - 11)
    return {
        "first_month": first,
        "last_month": queries.month_label(last),
        **rates_table(counts, 12, settings, populations, names, keys=keys),
    }


def rates_table(
    counts: dict[str, int],
    months: int,
    settings: Settings,
    populations: dict[str, float] | None = None,
    names: dict[str, str] | None = None,
    when: str = "In the last 12 months",
    area: str = "London",
    *,
    keys: dict[str, int],
) -> dict:
    """Rows per borough and for London from referral counts over `months` months and their cell keys: the count as
    published (perturbed, hidden under the threshold), adult women, the rate a year per 10,000 with its exact
    interval, the norm's cases for that population and the IDVAs the count implies a year, all from the published
    count. Every borough of the census has a row, a zero included."""
    populations = populations if populations is not None else adult_women(settings)
    names = names if names is not None else borough_names(settings)
    years = months / 12
    rows = sorted(set(populations) | set(counts))  # every borough, a zero included: leaving one out publishes it
    shown = {b: protect.publish(counts.get(b, 0), keys.get(b, 0), settings) for b in rows}
    shown[queries.TOTAL] = protect.publish(sum(counts.values()), protect.cell_key(list(keys.values())), settings)
    norms = {n.name: n for n in settings.norms}
    marac, idva = norms.get("marac_cases"), norms.get("idva_caseload")
    london = sum(populations.values())
    out = []
    for borough in [*rows, queries.TOTAL]:
        count = shown[borough]
        population = london if borough == queries.TOTAL else populations.get(borough)
        row = {
            "borough": ALL_LONDON if borough == queries.TOTAL else borough,
            "name": area if borough == queries.TOTAL else names.get(borough, borough or "Not known"),
            "referrals": count,
            "adult_women": None if population is None else round(population),
            "rate": None,
            "low": None,
            "high": None,
            "norm_cases": None if population is None or marac is None else marac.value * population / PER,
            "idvas": None if count is None or idva is None else count / years / idva.value,
        }
        if count is not None and population:
            found = rate(count, population * years)  # person-years: a rate a year whatever the period
            row.update(rate=found.rate, low=found.low, high=found.high)
        out.append(row)
    return {
        "months": months,
        "rows": out,
        "population_source": settings.adult_women_source,
        "norms": {name: n.__dict__ for name, n in norms.items()},
        "headline": headline(out, norms, settings, when, area),
    }


def headline(
    rows: list[dict], norms: dict, settings: Settings, when: str = "In the last 12 months", area: str = "London"
) -> str:
    """One or two sentences a councillor can read aloud: London's rate with its interval against the norms."""
    london = next(r for r in rows if r["borough"] == ALL_LONDON)
    if london["rate"] is None:
        return f"{when} fewer than {settings.suppression_threshold} referrals were received."
    said = (
        f"{when} the hub received {london['referrals']:,} referrals: {london['rate']:.1f} a year for every "
        f"10,000 adult women in {area} (95% CI {london['low']:.1f} to {london['high']:.1f})"
    )
    marac = norms.get("marac_cases")
    if marac:
        said += f", against the {marac.value:.0f} {marac.unit} SafeLives plans for"
    said += "."
    idva = norms.get("idva_caseload")
    if idva:
        said += (
            f" At about {idva.value:.0f} referrals a year for each full-time IDVA, this demand needs about "
            f"{london['idvas']:,.1f} full-time IDVAs."
        )
    boroughs = [r for r in rows if r["borough"] != ALL_LONDON and r["rate"] is not None]
    highest = max(boroughs, key=lambda r: r["rate"]) if len(boroughs) > 1 else None
    if highest:
        said += f" The highest rate was in {highest['name']}: {highest['rate']:.1f} per 10,000."
    return said
