"""Reduce a data set to the counts an assessment needs, in one query the backend runs (a union of group-bys).

The main branch, the *cube*, groups by every raw column the assessment looks at (each characteristic's column as
stored) and sums every measure: rows, events, numerators, denominators, and the count, sum and sum of squares of
each duration. Every table of characteristics (each one, each two-way intersection) is a sum over cells of that
cube, so it is computed once. The characteristics by quarter (a few small ones packed together), and the area by
the area metrics' characteristics, get small cubes of their own: crossed into the main cube they would multiply its
size. Medians are not sums: the first duration's values are one more key of the by-quarter cubes, which then hold
its histograms; any other duration gets *histogram* branches, counts by (raw column, value).

Mapping raw values to categories (police codes to ONS groups, say) happens after counting, on the few distinct raw
values, in Python: the same code maps them on every backend, and a value the specification does not map is found
and named rather than dropped.
"""

from __future__ import annotations

import datetime as datetime_
from dataclasses import dataclass, field

import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa

from .errors import SpecError
from .spec import Condition, Metric, Spec

CUBE = "cube"
AREA_CUBE = "cube:area"
QUARTER_CUBE = "cube:quarter"
QUARTER_CELLS = 200  # most combinations of characteristics in one by-quarter cube
TRUE_TEXT = ("true", "t", "yes", "y", "1")
FALSE_TEXT = ("false", "f", "no", "n", "0")


@dataclass
class CountPlan:
    """What to count in one data set: raw key columns, measures and histograms."""

    dataset: str
    weight: str | None = None  # the column counting the records each row stands for (frequency tables)
    keys: list[str] = field(default_factory=list)  # raw columns, in a fixed order (k0, k1, ...)
    quarter_column: str | None = None
    quarter_from: str = "label"
    area_column: str | None = None
    area_keys: list[str] = field(default_factory=list)  # raw columns crossed with the area (area metrics' groups)
    metrics: list[Metric] = field(default_factory=list)
    histograms: list[tuple[str, str | None]] = field(default_factory=list)  # (metric, key alias or None)
    folded: str | None = None  # the duration whose histograms ride in the by-quarter cubes (one scan fewer each)
    key_sizes: dict[str, int] = field(default_factory=dict)  # key alias -> number of categories (+1 not known)
    trend_metrics: list[str] = field(default_factory=list)
    area_metrics: list[str] = field(default_factory=list)
    # [period]: (date column, first day, last day); rows dated outside it, or not dated, are not counted
    period: tuple[str, datetime_.date, datetime_.date] | None = None

    def key_alias(self, column: str) -> str:
        return f"k{self.keys.index(column)}"


def plan_counts(spec: Spec) -> dict[str, CountPlan]:
    """One plan per data set: which raw columns and measures its metrics need."""
    plans: dict[str, CountPlan] = {}
    for metric in spec.metrics:
        plan = plans.setdefault(metric.dataset, CountPlan(metric.dataset, weight=spec.datasets[metric.dataset].weight))
        plan.metrics.append(metric)
        for characteristic in spec.characteristics_of(metric):
            if characteristic.column not in plan.keys:
                plan.keys.append(characteristic.column)
        for a, b in _pairs_for(spec, metric):
            for name in (a, b):
                column = spec.characteristic(name).column
                if column not in plan.keys:
                    plan.keys.append(column)
        if spec.trend_column and (spec.trend_metrics is None or metric.name in spec.trend_metrics):
            plan.quarter_column, plan.quarter_from = spec.trend_column, spec.trend_from
            plan.trend_metrics.append(metric.name)
        if spec.area_column and spec.area_metrics and metric.name in spec.area_metrics:
            plan.area_column = spec.area_column
            plan.area_metrics.append(metric.name)
            for characteristic in spec.characteristics_of(metric):
                if characteristic.column not in plan.area_keys:
                    plan.area_keys.append(characteristic.column)
    for plan in plans.values():
        for characteristic in spec.characteristics:
            if characteristic.column in plan.keys and characteristic.codes:
                alias = plan.key_alias(characteristic.column)
                size = len(characteristic.codes) + 1
                plan.key_sizes[alias] = max(plan.key_sizes.get(alias, 0), size)
        for metric in plan.metrics:
            if metric.kind != "duration":
                continue
            plan.histograms.append((metric.name, None))
            for characteristic in spec.characteristics_of(metric):
                alias = plan.key_alias(characteristic.column)
                if (metric.name, alias) not in plan.histograms:
                    plan.histograms.append((metric.name, alias))
            if plan.quarter_column:
                plan.histograms.append((metric.name, "q"))
        if plan.quarter_column and plan.keys:
            # The first duration's values become one more key of the small by-quarter cubes, which then give its
            # histograms by characteristic, by quarter and overall without scanning the data again.
            plan.folded = next((m.name for m in plan.metrics if m.kind == "duration"), None)
            plan.histograms = [h for h in plan.histograms if h[0] != plan.folded]
    return plans


def _pairs_for(spec: Spec, metric: Metric) -> tuple[tuple[str, str], ...]:
    if spec.intersection_metrics is not None and metric.name not in spec.intersection_metrics:
        return ()
    own = {c.name for c in spec.characteristics_of(metric)}
    if metric.kind == "rate":
        return ()  # a rate by an intersection needs a population by both characteristics, which none has
    return tuple((a, b) for a, b in spec.intersections if {a, b} <= own)


def columns_used(plan: CountPlan) -> dict[str, str]:
    """Each raw column the plan reads, with what uses it (for the missing-column error)."""
    used = {column: "a characteristic" for column in plan.keys}
    if plan.period:
        used[plan.period[0]] = "[period]"
    if plan.weight:
        used[plan.weight] = f"[datasets.{plan.dataset}] weight"
    if plan.quarter_column:
        used[plan.quarter_column] = "[trends]"
    if plan.area_column:
        used[plan.area_column] = "[areas]"
    for metric in plan.metrics:
        for condition in (*metric.where, *metric.numerator, *metric.denominator):
            used.setdefault(condition.column, f"metric {metric.name!r}")
        if metric.column:
            used.setdefault(metric.column, f"metric {metric.name!r}")
    return used


def count_query(table: ibis.Table, plan: CountPlan) -> ibis.Table:
    """The whole reduction as one Ibis expression: the cube and the histograms, unioned. Nothing runs yet."""
    prepared = _prepare(table, plan)
    keys = [f"k{i}" for i in range(len(plan.keys))]
    measures = _measure_names(plan)
    schema = prepared.schema()
    all_keys = keys + (["q"] if plan.quarter_column else []) + (["a"] if plan.area_column else [])
    columns = {"part": dt.string, **{k: schema[k] for k in all_keys}, "v": dt.float64, "n": dt.int64}
    columns |= {name: (dt.float64 if name.endswith(("__sum", "__ssq")) else dt.int64) for name in measures}

    weighted = plan.weight is not None
    rows = prepared["w"].sum().cast("int64") if weighted else prepared.count()
    aggregations = {"n": rows} | {name: _measure(prepared, name, weighted) for name in measures}
    cube = prepared.group_by(keys).aggregate(**aggregations) if keys else prepared.aggregate(**aggregations)
    branches = [_align(cube.mutate(part=ibis.literal(CUBE)), columns)]
    if plan.quarter_column:
        # Each characteristic by quarter is a small group-by of its own: the quarter inside the main cube would
        # multiply its size by the number of quarters, and every table drawn from it would cost as much more.
        values = [prepared[f"{plan.folded}__x"].cast("float64").name("v")] if plan.folded else []
        # Only the trend metrics' measures; the folded duration's count and sums follow from its values (a key).
        folded = (f"{plan.folded}__cnt", f"{plan.folded}__sum", f"{plan.folded}__ssq")
        wanted = {k: v for k, v in aggregations.items() if _owner(k) in (None, *plan.trend_metrics) and k not in folded}
        for index, by in enumerate(quarter_groups(plan)):
            by_quarter = prepared.group_by([*by, "q", *values]).aggregate(**wanted)
            branches.append(_align(by_quarter.mutate(part=ibis.literal(f"{QUARTER_CUBE}:{index}")), columns))
    if plan.area_column:
        # The area gets a cube of its own (area by the area metrics' groups): crossed with every other key it
        # would multiply the main cube by the number of areas.
        area_keys = [plan.key_alias(c) for c in plan.area_keys] + ["a"]
        wanted = {k: v for k, v in aggregations.items() if _owner(k) in (None, *plan.area_metrics)}
        by_area = prepared.group_by(area_keys).aggregate(**wanted)
        branches.append(_align(by_area.mutate(part=ibis.literal(AREA_CUBE)), columns))
    for metric, key in plan.histograms:
        present = prepared.filter(prepared[f"{metric}__x"].notnull())
        by = [key] if key else []
        rows = present["w"].sum().cast("int64") if weighted else present.count()
        hist = present.group_by([*by, present[f"{metric}__x"].name("v")]).aggregate(n=rows)
        branches.append(_align(hist.mutate(part=ibis.literal(f"hist:{metric}:{key or ''}")), columns))
    return ibis.union(*branches, distinct=False) if len(branches) > 1 else branches[0]


def _owner(measure: str) -> str | None:
    """The metric a measure column belongs to ('reach__ev' -> 'reach'); None for the row count."""
    return measure.rpartition("__")[0] or None


def quarter_groups(plan: CountPlan) -> list[list[str]]:
    """Key aliases packed into a few by-quarter cubes: each key costs a scan, so small ones share one.

    Keys are packed while the product of their category counts stays under QUARTER_CELLS (a characteristic
    without listed categories is assumed to have 50), so each cube stays small after crossing with the quarter.
    """
    sizes = plan.key_sizes
    groups: list[list[str]] = []
    product: list[int] = []
    for alias in [f"k{i}" for i in range(len(plan.keys))]:
        size = sizes.get(alias, 50)
        for i, group in enumerate(groups):
            if product[i] * size <= QUARTER_CELLS:
                group.append(alias)
                product[i] *= size
                break
        else:
            groups.append([alias])
            product.append(size)
    return groups or [[]]


def run_counts(con: ibis.BaseBackend, table: ibis.Table, plan: CountPlan) -> pa.Table:
    """Execute the reduction: the only place data leave the backend, as an Arrow table of counts."""
    return con.to_pyarrow(count_query(table, plan))


def in_period(table: ibis.Table, column: str, first: datetime_.date, last: datetime_.date) -> ibis.ir.BooleanValue:
    """Whether a row's date lies in [first, last]; an undated row does not."""
    return (
        _on_or_after(table[column], first) & ~_on_or_after(table[column], last + datetime_.timedelta(days=1))
    ).fill_null(False)


def _on_or_after(column: ibis.Value, day: datetime_.date) -> ibis.ir.BooleanValue:
    """A date column (or ISO text, as CSV gives it, compared on its first ten characters) on or after `day`."""
    if column.type().is_string():
        return column.substr(0, 10) >= day.isoformat()
    if column.type().is_temporal():
        return column.cast("date") >= ibis.literal(day)
    raise SpecError(f"column {column.get_name()!r} is neither a date nor text, so it cannot be compared with a date.")


def _prepare(table: ibis.Table, plan: CountPlan) -> ibis.Table:
    """Key columns renamed k0.., quarter q, area a, and one 0/1 or numeric column per measure."""
    if plan.period:
        table = table.filter(in_period(table, *plan.period))
    columns = {f"k{i}": table[c] for i, c in enumerate(plan.keys)}
    if plan.weight:
        columns["w"] = _number(table[plan.weight]).cast("int64").fill_null(0)
    if plan.quarter_column:
        columns["q"] = _quarter(table[plan.quarter_column], plan.quarter_from)
    if plan.area_column:
        columns["a"] = table[plan.area_column].cast("string")
    for metric in plan.metrics:
        where = _all(table, metric.where)
        if metric.kind == "rate":
            columns[f"{metric.name}__ev"] = _flag(where)
        elif metric.kind == "proportion":
            den = where & _all(table, metric.denominator)
            columns[f"{metric.name}__den"] = _flag(den)
            columns[f"{metric.name}__num"] = _flag(den & _all(table, metric.numerator))
        else:
            value = _number(table[metric.column])
            columns[f"{metric.name}__x"] = ibis.ifelse(where, value, ibis.null().cast(value.type()))
    return table.select(**columns)


def _measure_names(plan: CountPlan) -> list[str]:
    names = []
    for metric in plan.metrics:
        if metric.kind == "rate":
            names.append(f"{metric.name}__ev")
        elif metric.kind == "proportion":
            names += [f"{metric.name}__den", f"{metric.name}__num"]
        else:
            names += [f"{metric.name}__cnt", f"{metric.name}__sum", f"{metric.name}__ssq"]
    return names


def _measure(prepared: ibis.Table, name: str, weighted: bool = False) -> ibis.Expr:
    metric, _, kind = name.rpartition("__")
    if weighted:  # each row stands for w records: every count becomes a sum of w, every sum a sum times w
        w = prepared["w"]
        if kind in ("ev", "den", "num"):
            return ibis.ifelse(prepared[name], w, 0).sum().cast("int64")
        value = prepared[f"{metric}__x"]
        if kind == "cnt":
            return ibis.ifelse(value.notnull(), w, 0).sum().cast("int64")
        if kind == "sum":
            return (value * w).sum().cast("float64")
        return (value * value * w).sum().cast("float64")
    if kind in ("ev", "den", "num"):
        # COUNT(*) FILTER (WHERE flag) where the backend has it (DuckDB, PostgreSQL): much cheaper than
        # SUM(CASE ...) over millions of rows; PySpark gets the equivalent SUM(CAST(flag AS BIGINT)).
        return prepared.count(where=prepared[name]).cast("int64")
    value = prepared[f"{metric}__x"]
    if kind == "cnt":
        return value.count().cast("int64")
    if kind == "sum":
        return value.sum().cast("float64")
    return (value * value).sum().cast("float64")


def _align(table: ibis.Table, columns: dict[str, dt.DataType]) -> ibis.Table:
    """Every branch gets every column, in one order and one type, nulls where a branch has no value."""
    present = set(table.columns)
    return table.select(
        **{
            name: (table[name].cast(dtype) if name in present else ibis.null().cast(dtype))
            for name, dtype in columns.items()
        }
    )


def _quarter(column: ibis.Value, source: str) -> ibis.Value:
    """A 'YYYYQn' label: as stored, or derived from a date (ISO text or a date/timestamp column)."""
    if source == "label":
        return column.cast("string")
    if column.type().is_string():
        month = column.substr(5, 2).cast("int32")
        return column.substr(0, 4).concat("Q", ((month + 2) // 3).cast("string"))
    if column.type().is_temporal():
        return column.year().cast("string").concat("Q", column.quarter().cast("string"))
    raise SpecError(f"[trends] column {column.get_name()!r} is neither a date nor text; use from = 'label'.")


def _all(table: ibis.Table, conditions: tuple[Condition, ...]) -> ibis.ir.BooleanValue:
    result = ibis.literal(True)
    for condition in conditions:
        result = result & _condition(table[condition.column], condition)
    return result


def _condition(column: ibis.Value, condition: Condition) -> ibis.ir.BooleanValue:
    """One test, null-safe: a missing value fails every test except `is_null = true`."""
    op, value = condition.op, condition.value
    if isinstance(value, datetime_.date):
        after = _on_or_after(column, value)
        after_next = _on_or_after(column, value + datetime_.timedelta(days=1))
        tests = {"lt": ~after, "le": ~after_next, "ge": after, "gt": after_next, "eq": after & ~after_next,
                 "ne": ~after | after_next}  # fmt: skip
        if op not in tests:
            raise SpecError(f"condition on {condition.column!r}: {op} cannot take a date.")
        return tests[op].fill_null(False)
    if op == "is_null":
        return column.isnull() if value else column.notnull()
    if op in ("in", "not_in"):
        text = column.cast("string")
        test = text.isin([_text(v) for v in value])
        return (test if op == "in" else ~test).fill_null(False)
    if op == "is":
        if column.type().is_boolean():
            return (column == value).fill_null(False)
        return column.cast("string").lower().isin(TRUE_TEXT if value else FALSE_TEXT).fill_null(False)
    if isinstance(value, bool) or not isinstance(value, int | float):
        target = column.cast("string") if not column.type().is_string() else column
        test = target == _text(value) if op == "eq" else target != _text(value)
        if op not in ("eq", "ne"):
            raise SpecError(f"condition on {condition.column!r}: {op} needs a number, not {value!r}.")
        return test.fill_null(False)
    number = _number(column)
    tests = {
        "eq": number == value,
        "ne": number != value,
        "lt": number < value,
        "le": number <= value,
        "gt": number > value,
        "ge": number >= value,
    }
    return tests[op].fill_null(False)


def _number(column: ibis.Value) -> ibis.Value:
    """Numbers as numbers; text (CSV) parsed, with anything unparsable as null rather than an error mid-query."""
    if column.type().is_integer():
        return column.cast("int64")
    if column.type().is_numeric():
        return column.cast("float64")
    if column.type().is_boolean():
        return column.cast("int64")
    return column.try_cast("float64")


def _flag(condition: ibis.ir.BooleanValue) -> ibis.Value:
    """A never-null boolean: conditions are already null-safe, and a constant TRUE is kept as a column."""
    return condition.fill_null(False)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
