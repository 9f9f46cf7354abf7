"""The counts read back into categories, and summed into any table the assessment asks for.

The backend returns one row per combination of raw values (the cube) plus histogram rows, as an Arrow table. Here
raw values become category codes through each characteristic's map, and every table (a characteristic, two crossed,
one by quarter) is a weighted `bincount` over the cube's rows, one measure at a time and only when asked for:
cheap, exact for counts, and identical whatever backend counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .counts import AREA_CUBE, CUBE, QUARTER_CUBE, CountPlan, quarter_groups
from .errors import CategoryError
from .spec import UNKNOWN, Characteristic

QUARTER = "quarter"
AREA = "area"


def raw_text(value: object) -> str | None:
    """One text form for a raw value whichever backend returned it (True -> 'true', 2.0 -> '2')."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def categorise(
    characteristic: Characteristic, raw: Sequence[str | None], rows: Sequence[int], dataset: str
) -> list[str]:
    """Category code of each distinct raw value; values the specification does not place are an error."""
    unknown = set(characteristic.unknown)
    codes, stray = [], {}
    allowed = set(characteristic.codes)
    for value, count in zip(raw, rows, strict=True):
        if value is None or value in unknown:
            codes.append(UNKNOWN)
        elif characteristic.mapping is not None:
            code = characteristic.mapping.get(value)
            if code is None:
                stray[value] = stray.get(value, 0) + int(count)
            codes.append(code or UNKNOWN)
        elif allowed and value not in allowed:
            stray[value] = stray.get(value, 0) + int(count)
            codes.append(UNKNOWN)
        else:
            codes.append(value)
    if stray:
        listed = ", ".join(f"{v!r} ({n:,} rows)" for v, n in sorted(stray.items(), key=lambda kv: -kv[1])[:8])
        raise CategoryError(
            f"Column {characteristic.column!r} of data set {dataset!r} holds values that characteristic "
            f"{characteristic.name!r} does not place in a category: {listed}. Add them to its "
            f"{'map' if characteristic.mapping is not None else 'categories'} (or to 'unknown')."
        )
    return codes


@dataclass
class Part:
    """Cube rows of one grouping: each dimension's level index per row, and the measures."""

    codes: dict[str, np.ndarray]
    measures: dict[str, np.ndarray]
    values: np.ndarray | None = None  # the folded duration's value per row (NaN where it has none)


class Table:
    """Measures summed over a layout's cells, computed one measure at a time on first use."""

    def __init__(self, part: Part, index: np.ndarray, shape: tuple[int, ...]):
        self._part, self._index, self._shape = part, index, shape
        self._sums: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._sums:
            size = int(np.prod(self._shape)) if self._shape else 1
            values = self._part.measures[name]
            self._sums[name] = np.bincount(self._index, weights=values, minlength=size).reshape(self._shape)
        return self._sums[name]


@dataclass
class Cube:
    """One data set's counts by category code, ready to be summed into tables."""

    dataset: str
    levels: dict[str, list[str]]  # dimension -> ordered level names (characteristics, quarter, area)
    parts: list[Part]  # the main cube, then (if any) the area cube
    raw_histograms: dict[tuple[str, str | None], pd.DataFrame]  # (metric, key alias) -> raw key, v, n
    characteristics: dict[str, tuple[Characteristic, str]]  # name -> (characteristic, key alias)
    folded: str | None = None
    _cache: dict = field(default_factory=dict)

    def table(self, dims: tuple[str, ...]) -> Table:
        """Measures summed over every dimension not in `dims`: arrays shaped by the dims' level counts."""
        if dims not in self._cache:
            part = next(p for p in self.parts if all(d in p.codes for d in dims))
            index = np.zeros(len(part.measures["n"]), dtype=np.int64)
            for d in dims:
                index = index * len(self.levels[d]) + part.codes[d]
            self._cache[dims] = Table(part, index, tuple(len(self.levels[d]) for d in dims))
        return self._cache[dims]

    def histogram(self, metric: str, dim: str | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """A duration's histogram per level ("all" when dim is None): level -> (sorted values, counts)."""
        key = ("histogram", metric, dim)
        if key not in self._cache:
            frame = self._histogram(metric, dim)
            grouped = frame.groupby(["level", "v"], sort=True)["n"].sum()
            self._cache[key] = {
                level: (rows.index.get_level_values("v").to_numpy(), rows.to_numpy())
                for level, rows in grouped.groupby(level="level", sort=False)
            }
        return self._cache[key]

    def _histogram(self, metric: str, dim: str | None) -> pd.DataFrame:
        if metric == self.folded:
            return self._folded_histogram(dim)
        if dim is None:
            raw = self.raw_histograms[(metric, None)]
            return pd.DataFrame({"level": "all", "v": raw["v"], "n": raw["n"]})
        if dim == QUARTER:
            raw = self.raw_histograms[(metric, "q")]
            index, texts = _factorize(raw["q"])
            levels = np.array([t or UNKNOWN for t in texts], dtype=object)
            return pd.DataFrame({"level": levels[index], "v": raw["v"], "n": raw["n"]})
        characteristic, alias = self.characteristics[dim]
        raw = self.raw_histograms[(metric, alias)]
        index, texts = _factorize(raw[alias])
        levels = np.array(categorise(characteristic, texts, [0] * len(texts), self.dataset), dtype=object)
        return pd.DataFrame({"level": levels[index], "v": raw["v"], "n": raw["n"]})

    def _folded_histogram(self, dim: str | None) -> pd.DataFrame:
        """The folded duration's histogram, read from the by-quarter cube that holds `dim`."""
        part = next(p for p in self.parts if p.values is not None and (dim is None or dim in p.codes))
        present = ~np.isnan(part.values)
        if dim is None:
            levels = np.full(int(present.sum()), "all", dtype=object)
        else:
            levels = np.array(self.levels[dim], dtype=object)[part.codes[dim][present]]
        return pd.DataFrame({"level": levels, "v": part.values[present], "n": part.measures["n"][present]})


def build_cube(frame: pa.Table, plan: CountPlan, characteristics: Sequence[Characteristic], dataset: str) -> Cube:
    """Split the backend's result into cubes and histograms, and translate raw values into category codes."""
    part_column = frame["part"]
    main = frame.filter(pc.equal(part_column, CUBE))
    levels, placed = {}, {}
    codes: dict[str, np.ndarray] = {}
    rows = _numbers(main["n"])
    for characteristic in characteristics:
        alias = plan.key_alias(characteristic.column)
        levels[characteristic.name], codes[characteristic.name] = _encode(characteristic, main[alias], rows, dataset)
        placed[characteristic.name] = (characteristic, alias)
    measure_names = [c for c in frame.column_names if c == "n" or "__" in c]
    parts = [Part(codes, {name: _numbers(main[name]) for name in measure_names})]
    for index, aliases in enumerate(quarter_groups(plan) if plan.quarter_column and plan.keys else []):
        rows_q = frame.filter(pc.equal(part_column, f"{QUARTER_CUBE}:{index}"))
        quarter_rows = _numbers(rows_q["n"])
        quarter_codes = {}
        for characteristic in characteristics:
            alias = plan.key_alias(characteristic.column)
            if alias in aliases:
                _, quarter_codes[characteristic.name] = _encode(characteristic, rows_q[alias], quarter_rows, dataset)
        levels[QUARTER], quarter_codes[QUARTER] = _encode_free(rows_q["q"])
        values = pc.fill_null(rows_q["v"], float("nan")).to_numpy() if plan.folded else None
        measures = {name: _numbers(rows_q[name]) for name in _owned(measure_names, plan.trend_metrics)}
        if plan.folded:  # the folded duration's count and sums, from its values and their row counts
            present, value = ~np.isnan(values), np.nan_to_num(values)
            measures[f"{plan.folded}__cnt"] = np.where(present, measures["n"], 0.0)
            measures[f"{plan.folded}__sum"] = value * measures[f"{plan.folded}__cnt"]
            measures[f"{plan.folded}__ssq"] = value * value * measures[f"{plan.folded}__cnt"]
        parts.append(Part(quarter_codes, measures, values))
    if plan.quarter_column and not plan.keys:
        rows_q = frame.filter(pc.equal(part_column, f"{QUARTER_CUBE}:0"))
        levels[QUARTER], quarter_codes = _encode_free(rows_q["q"])
        parts.append(Part({QUARTER: quarter_codes}, {name: _numbers(rows_q[name]) for name in measure_names}))
    area = frame.filter(pc.equal(part_column, AREA_CUBE))
    if area.num_rows:
        area_codes = {}
        area_rows = _numbers(area["n"])
        for characteristic in characteristics:
            if characteristic.column in plan.area_keys:
                alias = plan.key_alias(characteristic.column)
                _, area_codes[characteristic.name] = _encode(characteristic, area[alias], area_rows, dataset)
        levels[AREA], area_codes[AREA] = _encode_free(area["a"])
        parts.append(
            Part(area_codes, {name: _numbers(area[name]) for name in _owned(measure_names, plan.area_metrics)})
        )
    raw_histograms = {}
    histogram_rows = frame.filter(pc.starts_with(part_column, "hist:")).to_pandas()
    for part, rows in histogram_rows.groupby("part", sort=False):
        _, metric, alias = part.split(":")
        raw_histograms[(metric, alias or None)] = rows.reset_index(drop=True)
    return Cube(dataset, levels, parts, raw_histograms, placed, plan.folded)


def _owned(measure_names: list[str], metrics: list[str]) -> list[str]:
    """The row count and the measures of `metrics`: a part holds only what its branch computed, so asking it for
    another metric's measure fails loudly instead of reading zeros."""
    return [name for name in measure_names if name == "n" or name.rpartition("__")[0] in metrics]


def _numbers(column: pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(column, 0).to_numpy().astype(np.float64)


def _factorize(raw: pa.ChunkedArray | pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """Distinct raw values as text (None for missing) and each row's index into them, without a Python loop."""
    if isinstance(raw, pd.Series):
        raw = pa.chunked_array([pa.Array.from_pandas(raw)])
    encoded = raw.combine_chunks()
    if pa.types.is_dictionary(encoded.type):
        encoded = encoded.cast(encoded.type.value_type)
    encoded = encoded.dictionary_encode(null_encoding="encode")
    texts = [raw_text(v) for v in encoded.dictionary.to_pylist()]
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), texts


def _encode_free(raw) -> tuple[list[str], np.ndarray]:
    """Levels of a dimension without categories (quarter, area): its values, sorted, 'unknown' last."""
    index, texts = _factorize(raw)
    texts = [t or UNKNOWN for t in texts]
    level_list = sorted(set(texts) - {UNKNOWN}) + ([UNKNOWN] if UNKNOWN in texts else [])
    lookup = {v: i for i, v in enumerate(level_list)}
    return level_list, np.array([lookup[t] for t in texts], dtype=np.int64)[index]


def _encode(characteristic: Characteristic, raw, rows: np.ndarray, dataset: str):
    index, texts = _factorize(raw)
    counts = np.bincount(index, weights=rows, minlength=len(texts))
    placed = categorise(characteristic, texts, [int(c) for c in counts], dataset)
    observed = {code for code, count in zip(placed, counts, strict=True) if count > 0}
    order = list(characteristic.codes) or sorted(c for c in observed if c != UNKNOWN)
    level_list = [*order, UNKNOWN]
    if characteristic.reference not in observed:
        raise CategoryError(
            f"The reference group {characteristic.reference!r} of {characteristic.name!r} has no rows in data set "
            f"{dataset!r} (column {characteristic.column!r}); it holds: "
            f"{', '.join(sorted(str(c) for c in observed if c != UNKNOWN)) or 'nothing known'}."
        )
    lookup = {v: i for i, v in enumerate(level_list)}
    level_of_text = np.array([lookup[code] for code in placed], dtype=np.int64)
    return level_list, level_of_text[index]
