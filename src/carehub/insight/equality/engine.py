"""One assessment end to end: open the data, count once per data set, check denominators, analyse.

This is the edge where Ibis expressions are executed; everything before it builds expressions, everything after it
works on the small frames of counts that come back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import ibis

from .analysis import analyse
from .backends import connect
from .counts import columns_used, in_period, plan_counts, run_counts
from .cube import QUARTER, Cube, build_cube
from .data import open_table, require_columns, resolve_sources
from .errors import EIAError, MissingColumnError
from .populations import check_area_coverage, check_coverage, population_counts
from .spec import UNKNOWN, Spec


@dataclass
class Assessment:
    """The results of one run, with what is needed to report them honestly."""

    spec: Spec
    results: list[dict]
    warnings: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def assess(
    spec: Spec,
    data_overrides: Mapping[str, str] | None = None,
    *,
    backend: str = "duckdb",
    con: ibis.BaseBackend | None = None,
    progress: Callable[[str], None] | None = None,
) -> Assessment:
    """Run the assessment the specification describes, on `backend` (or an open Ibis connection `con`).

    `progress` is told of each step as it starts (the command line shows it; nothing else needs it).
    """
    step = progress or (lambda _: None)
    started = time.perf_counter()
    sources = resolve_sources(spec, data_overrides)
    step(f"Opening the data ({backend if con is None else con.name})")
    con = con or connect(backend)
    tables = {name: open_table(con, source) for name, source in sources.items()}
    if spec.period_column and not (spec.period_start and spec.period_end):
        spec = _period_from_data(spec, tables[spec.metrics[0].dataset])
    plans = plan_counts(spec)
    warnings: list[str] = []
    for dataset, plan in plans.items():
        if spec.date_column and spec.period_start and spec.period_end and spec.date_column in tables[dataset].columns:
            plan.period = (spec.date_column, spec.period_start, spec.period_end)
        used = columns_used(plan)
        require_columns(tables[dataset], used, dataset, used)
    for dataset, plan in plans.items():
        if plan.period:
            step(f"Checking the dates of {dataset!r} against the period")
            warnings += _outside_period(spec, dataset, tables[dataset], plan)
    cubes: dict[str, Cube] = {}
    count_seconds = {}
    for dataset, plan in plans.items():
        step(f"Counting {dataset!r}")
        tick = time.perf_counter()
        frame = run_counts(con, tables[dataset], plan)
        count_seconds[dataset] = time.perf_counter() - tick
        characteristics = [c for c in spec.characteristics if c.column in plan.keys]
        cubes[dataset] = build_cube(frame, plan, characteristics, dataset)
    step("Reading the populations")
    populations = _populations(spec, tables, cubes)
    step("Comparing groups and suppressing small numbers")
    tick = time.perf_counter()
    results = analyse(spec, cubes, populations)
    analysis_seconds = time.perf_counter() - tick
    meta = {
        "backend": con.name,
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "datasets": {
            name: {"source": source.describe(), "rows": _rows(cubes.get(name))} for name, source in sources.items()
        },
        "seconds": {
            "counting": round(sum(count_seconds.values()), 3),
            "analysis": round(analysis_seconds, 3),
            "total": round(time.perf_counter() - started, 3),
        },
    }
    return Assessment(spec=spec, results=results, warnings=warnings + _warnings(spec, cubes), meta=meta)


def _outside_period(spec: Spec, dataset: str, table: ibis.Table, plan) -> list[str]:
    """How many rows [period] leaves out, said plainly: a rate over the wrong months is silently wrong."""
    column, first, last = plan.period
    inside = in_period(table, column, first, last)
    weight = table[plan.weight].cast("int64") if plan.weight else None
    rows = (
        table.aggregate(
            outside=ibis.ifelse(inside, 0, weight if weight is not None else 1).sum(),
            undated=ibis.ifelse(table[column].isnull(), weight if weight is not None else 1, 0).sum(),
        )
        .execute()
        .iloc[0]
    )
    outside, undated = int(rows["outside"] or 0), int(rows["undated"] or 0)
    outside -= undated
    found = []
    if outside:
        found.append(
            f"Data set {dataset!r} has {outside:,} rows dated outside the period {first:%d %B %Y} to {last:%d %B %Y} "
            f"(column {column!r}); they are left out of every figure."
        )
    if undated:
        found.append(f"Data set {dataset!r} has {undated:,} rows without a date in {column!r}; they are left out.")
    return found


def _period_from_data(spec: Spec, table: ibis.Table) -> Spec:
    """The period as the whole calendar months from the first to the last date in the data (one small query)."""
    if spec.period_column not in table.columns:
        raise MissingColumnError(f"[period] column {spec.period_column!r} is not in the data.")
    column = table[spec.period_column]
    if column.type().is_string():
        column = column.substr(0, 10).cast("date")
    bounds = table.aggregate(first=column.min(), last=column.max()).execute().iloc[0]
    if bounds["first"] is None or bounds["last"] is None or bounds.isna().any():
        raise EIAError(f"[period] column {spec.period_column!r} holds no dates, so the period is unknown.")
    first, last = (dt.date.fromisoformat(str(v)[:10]) for v in (bounds["first"], bounds["last"]))
    end = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1) - dt.timedelta(days=1)
    return dataclasses.replace(spec, period_start=first.replace(day=1), period_end=end)


def _populations(spec: Spec, tables: dict, cubes: dict[str, Cube]) -> dict[str, dict]:
    """Each population summed, then checked against every data set a rate uses it with."""
    populations = {}
    for population in spec.populations:
        characteristic = spec.characteristic(population.characteristic)
        counts = population_counts(tables[population.dataset], population, characteristic)
        for metric in spec.metrics:
            if metric.kind != "rate" or characteristic not in spec.characteristics_of(metric):
                continue
            cube = cubes[metric.dataset]
            rows = cube.table((characteristic.name,))[f"{metric.name}__ev"]
            observed = {level: int(rows[i]) for i, level in enumerate(cube.levels[characteristic.name])}
            check_coverage(population, counts, characteristic, observed)
            if population.area_column and spec.area_metrics and metric.name in spec.area_metrics:
                by_area = cube.table(("area",))[f"{metric.name}__ev"]
                areas = {a: int(by_area[i]) for i, a in enumerate(cube.levels["area"]) if a != UNKNOWN}
                check_area_coverage(population, counts, areas)
        populations[characteristic.name] = counts
    return populations


def _warnings(spec: Spec, cubes: dict[str, Cube]) -> list[str]:
    """Things a reader must know that do not stop the assessment."""
    warnings = []
    for metric in spec.metrics:
        cube = cubes[metric.dataset]
        overall = cube.table(())
        if metric.kind == "proportion" and int(overall[f"{metric.name}__num"]) == 0:
            warnings.append(f"Metric {metric.name!r}: no row meets its numerator condition; check the values it names.")
        if metric.kind == "proportion" and int(overall[f"{metric.name}__den"]) == 0:
            warnings.append(f"Metric {metric.name!r}: no row meets its denominator condition.")
    for dataset, cube in cubes.items():
        if QUARTER in cube.levels and spec.period_start and spec.period_end:
            first = f"{spec.period_start.year}Q{(spec.period_start.month + 2) // 3}"
            last = f"{spec.period_end.year}Q{(spec.period_end.month + 2) // 3}"
            outside = [q for q in cube.levels[QUARTER] if q != UNKNOWN and not first <= q <= last]
            if outside:
                warnings.append(
                    f"Data set {dataset!r} has rows dated outside the period ({', '.join(outside)}); they count in the "
                    "totals, but those quarters have no exposure and no rate."
                )
            if UNKNOWN in cube.levels[QUARTER]:
                warnings.append(f"Data set {dataset!r} has rows without a date; they are in no quarter.")
    return warnings


def _rows(cube: Cube | None) -> int | None:
    return None if cube is None else int(cube.table(())["n"])
