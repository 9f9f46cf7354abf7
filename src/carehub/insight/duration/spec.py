"""What the duration analysis compares and how: read from a small TOML file, every field with a stated default.

The defaults are the question as commissioners ask it (26 weeks of support against the commissioned 12, repeat
referrals within 52 weeks of the start of support); a specification file changes them without code.
"""

from __future__ import annotations

import dataclasses
import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SPEC = Path(__file__).resolve().parent.parent / "specs" / "duration.toml"


class DurationError(Exception):
    """The analysis cannot be made as asked; the message says why in words a reader can act on."""


@dataclass(frozen=True)
class Spec:
    title: str = "Does support longer than 12 weeks reduce repeat referrals?"
    short_weeks: int = 12  # the strategy "commission 12 weeks": support ends during week 12
    long_weeks: int = 26  # the strategy "commission 26 weeks"
    grace_weeks: int = 1  # support may end within this many weeks from the strategy's week and still follow it
    horizon_weeks: int = 52  # outcome: a new referral within this many weeks of the start of support
    bands: tuple[int, ...] = (12, 26)  # duration bands: up to 12 weeks, 12 to 26, over 26
    numeric: tuple[str, ...] = ("dash_score", "previous_referrals", "needs")
    flags: tuple[str, ...] = ("marac",)
    categorical: tuple[str, ...] = ("risk_level", "age_band", "borough", "service_type")
    groups: tuple[str, ...] = (
        "service_type", "risk_level", "by_and_for", "borough", "age_band", "ethnic_group", "disability",
    )  # fmt: skip
    replicates: int = 200
    seed: int = 16
    weight_model_episodes: int = 50_000  # the censoring model is fitted on at most this many episodes
    ph_check_rows: int = 10_000  # the proportional-hazards test runs on at most this many rows
    cost_per_support_week: float = 150.0
    currency: str = "£"
    threshold: int = 10  # groups with fewer episodes, or fewer repeats, are not shown
    source: Path | None = field(default=None, compare=False)

    @property
    def confounders(self) -> tuple[str, ...]:
        return (*self.numeric, *self.flags, *self.categorical)

    def band_labels(self) -> list[str]:
        edges = self.bands
        labels = [f"up to {edges[0]} weeks"]
        labels += [f"{a} to {b} weeks" for a, b in itertools.pairwise(edges)]
        return [*labels, f"over {edges[-1]} weeks"]


def load_spec(path: str | Path | None = None, **overrides) -> Spec:
    """The specification in `path` (default: the shipped duration.toml), with keyword overrides on top."""
    path = Path(path) if path else DEFAULT_SPEC
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DurationError(f"No specification at {path}.") from None
    except tomllib.TOMLDecodeError as error:
        raise DurationError(f"{path.name} is not valid TOML: {error}") from None
    values: dict = {}
    for section in raw.values():
        if isinstance(section, dict):
            values.update(section)
    values.update({k: v for k, v in raw.items() if not isinstance(v, dict)})
    known = {f.name for f in dataclasses.fields(Spec)} - {"source"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise DurationError(f"{path.name}: unknown setting(s) {', '.join(unknown)}.")
    values.update(overrides)
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    spec = Spec(**values, source=path)
    _check(spec)
    return spec


def _check(spec: Spec) -> None:
    if not 0 < spec.short_weeks < spec.long_weeks < spec.horizon_weeks:
        raise DurationError("Need 0 < short_weeks < long_weeks < horizon_weeks.")
    if spec.grace_weeks < 1 or spec.short_weeks + spec.grace_weeks > spec.long_weeks:
        raise DurationError("grace_weeks must be at least 1 and keep the two strategies apart.")
    if list(spec.bands) != sorted(spec.bands) or not spec.bands:
        raise DurationError("bands must be increasing week numbers, e.g. [12, 26].")
    if spec.replicates < 50:
        raise DurationError("Use at least 50 bootstrap replicates for a 95% interval.")
