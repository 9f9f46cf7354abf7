"""The census table the seeder draws survivors from (derived once by derive_census.py, committed as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

TABLE = Path(__file__).resolve().parent / "data" / "census_2021_ethnic_group_london.json"


@dataclass(frozen=True)
class Census:
    boroughs: tuple[str, ...]  # ONS codes, in table order
    categories: tuple[str, ...]  # the 19 ONS 2021 ethnic categories
    population: np.ndarray  # (boroughs,) usual residents
    counts: np.ndarray  # (boroughs, categories) usual residents

    def borough_shares(self) -> np.ndarray:
        """Each borough's share of London's population."""
        return self.population / self.population.sum()

    def ethnicity_shares(self) -> np.ndarray:
        """(boroughs, categories): the ethnic mix of each borough, rows summing to 1."""
        return self.counts / self.counts.sum(axis=1, keepdims=True)

    def london_shares(self) -> dict[str, float]:
        """London-wide share of each category: what a survivor population drawn by borough should approach."""
        totals = self.counts.sum(axis=0)
        return dict(zip(self.categories, (totals / totals.sum()).tolist(), strict=True))


@cache
def load() -> Census:
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    categories = tuple(table["categories"])
    codes = tuple(table["boroughs"])
    population = np.array([table["boroughs"][c]["population"] for c in codes], dtype=np.int64)
    counts = np.array([[table["boroughs"][c]["counts"][k] for k in categories] for c in codes], dtype=np.int64)
    return Census(boroughs=codes, categories=categories, population=population, counts=counts)
