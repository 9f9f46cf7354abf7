"""The EIA specification: a TOML file parsed into frozen dataclasses, checked before any data are read.

The file says what is assessed (the commitment and its aim), on which data, by which characteristics against which
reference groups, with which metrics, and by which rule a result becomes a finding. Unknown keys are errors, not
ignored: a misspelt `refrence` would otherwise fall back to a default and give a different, wrong assessment.
"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SpecError

METRIC_KINDS = ("rate", "proportion", "duration")
CONDITION_OPS = ("in", "not_in", "is", "is_null", "eq", "ne", "lt", "le", "gt", "ge")
DATA_FORMATS = ("auto", "csv", "parquet", "table")
INTERVALS = ("exact", "log-wald")
UNKNOWN = "unknown"  # the category code every unknown, not-stated or missing value is counted under


@dataclass(frozen=True)
class Condition:
    """One test on one column; a list of them means all must hold. A null value fails every test but `is_null`."""

    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class Dataset:
    name: str
    path: str | None = None
    format: str = "auto"
    description: str = ""
    # A column counting how many records each row stands for, when the data are already counts (a frequency
    # table, such as the extract's immigration.parquet); None: each row is one record.
    weight: str | None = None


@dataclass(frozen=True)
class Characteristic:
    """A column of the data read as categories, e.g. ethnicity mapped from police codes to ONS 2021 groups."""

    name: str
    label: str
    column: str
    reference: str
    categories: tuple[tuple[str, str], ...]  # (code, label), in display order; empty: taken from the data
    mapping: dict[str, str] | None = None  # raw value -> category code
    unknown: tuple[str, ...] = ()  # raw values that mean "not known" (null always does)
    unknown_label: str = "Not known or not stated"
    # Who recorded it and how, in words that go beside every group ("ethnic group as the officer perceived it"), so
    # that two "Black" rates from two different recordings never sit side by side unexplained.
    recorded_as: str = ""
    # The data sets that hold this characteristic; None: all of them. A metric on another data set is not assessed
    # by it unless it names it.
    datasets: tuple[str, ...] | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.categories)

    @property
    def described(self) -> str:
        """What the groups are, in words: the recording named, or the characteristic's own label."""
        return self.recorded_as or self.label[:1].lower() + self.label[1:]

    def label_of(self, code: str) -> str:
        if code == UNKNOWN:
            return self.unknown_label
        return dict(self.categories).get(code, code)


@dataclass(frozen=True)
class Population:
    """Population denominators for one characteristic: long (group, population) or wide (a column per group)."""

    name: str
    dataset: str
    characteristic: str
    group_column: str | None = None
    population_column: str | None = None
    columns: dict[str, tuple[str, ...]] | None = None  # wide layout: category code -> column(s) summed
    area_column: str | None = None
    exclude_areas: tuple[str, ...] = ()
    not_covered: tuple[str, ...] = ()  # categories the population cannot give a figure for, stated openly
    description: str = ""


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    kind: str
    dataset: str
    higher_is: str  # "better" or "worse" for the group concerned
    where: tuple[Condition, ...] = ()
    numerator: tuple[Condition, ...] = ()
    denominator: tuple[Condition, ...] = ()
    column: str | None = None  # duration metrics
    unit: str = "days"
    per: int = 1000
    characteristics: tuple[str, ...] | None = None  # None: every characteristic that applies
    headline: bool = True
    interpretation: str = ""
    outcome_test: bool = False  # a hit-rate (outcome) test: the report explains how to read it
    interval: str = "exact"  # a rate ratio's interval: "exact" (conditional) or "log-wald", as published tables use


@dataclass(frozen=True)
class FindingRule:
    """When a comparison is a finding. Stated in the specification so the reader knows the rule that was used."""

    alpha: float = 0.05
    headline_adjustment: str = "holm"
    exploratory_adjustment: str = "fdr_bh"
    text: str = (
        "A difference is adverse (or favourable) when the Holm-adjusted p-value across the assessment's headline "
        "comparisons is under 0.05 and the 95% interval of the ratio lies wholly on the harmful (or beneficial) "
        "side of 1; intersections, quarters and areas are exploratory and use Benjamini-Hochberg. A group with "
        "fewer than the suppression threshold is 'too few to say'."
    )


@dataclass(frozen=True)
class Spec:
    title: str
    aim: str
    datasets: dict[str, Dataset]
    characteristics: tuple[Characteristic, ...]
    metrics: tuple[Metric, ...]
    populations: tuple[Population, ...] = ()
    evidence: str = ""
    engagement: str = ""
    decision: str = ""
    monitoring: str = ""
    caveats: tuple[str, ...] = ()
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    period_column: str | None = None  # when the period is read from the data: the date column (first metric's data)
    intersections: tuple[tuple[str, str], ...] = ()
    intersection_metrics: tuple[str, ...] | None = None
    trend_column: str | None = None
    trend_from: str = "label"  # "label": the column already holds "2024Q1"; "date": derive it from a date
    trend_metrics: tuple[str, ...] | None = None
    area_column: str | None = None
    area_metrics: tuple[str, ...] | None = None
    threshold: int = 10
    round_to: int = 0
    findings: FindingRule = field(default_factory=FindingRule)
    source: Path | None = None

    @property
    def months(self) -> float | None:
        """Whole calendar months covered by the period (both ends inclusive), for exposure P * m / 12."""
        if not (self.period_start and self.period_end):
            return None
        return float(
            (self.period_end.year - self.period_start.year) * 12 + self.period_end.month - self.period_start.month + 1
        )

    @property
    def date_column(self) -> str | None:
        """The column that dates each row, by which [period] filters: its own column, or the trends' date."""
        if self.period_column:
            return self.period_column
        return self.trend_column if self.trend_from == "date" else None

    def characteristic(self, name: str) -> Characteristic:
        return next(c for c in self.characteristics if c.name == name)

    def metric(self, name: str) -> Metric:
        return next(m for m in self.metrics if m.name == name)

    def population_for(self, characteristic: str) -> Population | None:
        return next((p for p in self.populations if p.characteristic == characteristic), None)

    def characteristics_of(self, metric: Metric) -> tuple[Characteristic, ...]:
        """The characteristics a metric is assessed by (a rate only by those with a population)."""
        names = metric.characteristics or tuple(
            c.name for c in self.characteristics if c.datasets is None or metric.dataset in c.datasets
        )
        chosen = tuple(self.characteristic(n) for n in names)
        if metric.kind == "rate" and metric.characteristics is None:
            chosen = tuple(c for c in chosen if self.population_for(c.name))
        return chosen


def load_spec(path: str | Path) -> Spec:
    """Read and check a specification file; every problem is a `SpecError` naming the key at fault."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"Specification file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"Specification file {path} is not valid TOML: {error}.") from None
    return parse_spec(raw, source=path)


def parse_spec(raw: dict[str, Any], *, source: Path | None = None) -> Spec:
    """Build a `Spec` from the TOML tables; shared by `load_spec` and the tests."""
    _only(
        raw,
        "the specification",
        {
            "title", "aim", "evidence", "engagement", "decision", "monitoring", "caveats", "period", "datasets",
            "characteristics", "populations", "metrics", "intersections", "trends", "areas", "suppression",
            "findings",
        },
    )  # fmt: skip
    datasets = {name: _dataset(name, table) for name, table in _table(raw, "datasets", required=True).items()}
    characteristics = tuple(_characteristic(t) for t in _array(raw, "characteristics", required=True))
    _unique([c.name for c in characteristics], "characteristic")
    metrics = tuple(_metric(t) for t in _array(raw, "metrics", required=True))
    _unique([m.name for m in metrics], "metric")
    populations = tuple(_population(t) for t in _array(raw, "populations"))
    period = _table(raw, "period")
    _only(period, "[period]", {"start", "end", "column"})
    intersections = _table(raw, "intersections")
    _only(intersections, "[intersections]", {"pairs", "all", "exclude", "metrics"})
    trends = _table(raw, "trends")
    _only(trends, "[trends]", {"column", "from", "metrics"})
    areas = _table(raw, "areas")
    _only(areas, "[areas]", {"column", "metrics"})
    suppression = _table(raw, "suppression")
    _only(suppression, "[suppression]", {"threshold", "round_to"})
    spec = Spec(
        title=_text(raw, "title", required=True),
        aim=_text(raw, "aim", required=True),
        evidence=_text(raw, "evidence"),
        engagement=_text(raw, "engagement"),
        decision=_text(raw, "decision"),
        monitoring=_text(raw, "monitoring"),
        caveats=tuple(raw.get("caveats", ())),
        datasets=datasets,
        characteristics=characteristics,
        populations=populations,
        metrics=metrics,
        period_start=_date(period, "start"),
        period_end=_date(period, "end"),
        period_column=period.get("column"),
        intersections=_pairs(intersections, characteristics),
        intersection_metrics=_names(intersections.get("metrics")),
        trend_column=trends.get("column"),
        trend_from=trends.get("from", "label"),
        trend_metrics=_names(trends.get("metrics")),
        area_column=areas.get("column"),
        area_metrics=_names(areas.get("metrics")),
        threshold=int(suppression.get("threshold", 10)),
        round_to=int(suppression.get("round_to", 0)),
        findings=_finding_rule(_table(raw, "findings")),
        source=source,
    )
    _cross_check(spec)
    return spec


def _dataset(name: str, table: dict[str, Any]) -> Dataset:
    _only(table, f"[datasets.{name}]", {"path", "format", "description", "weight"})
    fmt = table.get("format", "auto")
    _choose(fmt, DATA_FORMATS, f"[datasets.{name}] format")
    weight = table.get("weight")
    if weight is not None and (not isinstance(weight, str) or not weight):
        raise SpecError(f"[datasets.{name}] weight must be the name of the column holding each row's count.")
    return Dataset(
        name=name, path=table.get("path"), format=fmt, description=table.get("description", ""), weight=weight
    )


def _characteristic(table: dict[str, Any]) -> Characteristic:
    name = _text(table, "name", required=True)
    where = f"characteristic {name!r}"
    _only(
        table,
        where,
        {
            "name",
            "label",
            "column",
            "reference",
            "categories",
            "map",
            "unknown",
            "unknown_label",
            "datasets",
            "recorded_as",
        },
    )
    datasets = table.get("datasets")
    if datasets is not None and (not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets)):
        raise SpecError(f"{where}: 'datasets' must be a list of data set names.")
    categories = table.get("categories", {})
    if isinstance(categories, list):
        pairs = tuple((str(c), str(c)) for c in categories)
    elif isinstance(categories, dict):
        pairs = tuple((str(k), str(v)) for k, v in categories.items())
    else:
        raise SpecError(f"{where}: 'categories' must be a list of codes or a table of code = label.")
    mapping = table.get("map")
    if mapping is not None:
        mapping = {str(k): str(v) for k, v in mapping.items()}
        if not pairs:
            pairs = tuple((v, v) for v in dict.fromkeys(v for v in mapping.values() if v != UNKNOWN))
        stray = sorted({v for v in mapping.values() if v != UNKNOWN} - {c for c, _ in pairs})
        if stray:
            raise SpecError(f"{where}: 'map' sends values to {stray}, which are not among its categories.")
    reference = _text(table, "reference", required=True, where=where)
    if pairs and reference not in {c for c, _ in pairs}:
        raise SpecError(
            f"{where}: the reference group {reference!r} is not one of its categories "
            f"({', '.join(c for c, _ in pairs)}){_suggest(reference, [c for c, _ in pairs])}."
        )
    if UNKNOWN in {c for c, _ in pairs}:
        raise SpecError(f"{where}: {UNKNOWN!r} is reserved for values listed under 'unknown'; do not list it.")
    return Characteristic(
        name=name,
        label=table.get("label", name),
        column=_text(table, "column", required=True, where=where),
        reference=reference,
        categories=pairs,
        mapping=mapping,
        unknown=tuple(str(v) for v in table.get("unknown", ())),
        unknown_label=table.get("unknown_label", "Not known or not stated"),
        recorded_as=" ".join(str(table.get("recorded_as", "")).split()),
        datasets=tuple(datasets) if datasets is not None else None,
    )


def _population(table: dict[str, Any]) -> Population:
    name = _text(table, "name", required=True)
    where = f"population {name!r}"
    _only(
        table,
        where,
        {
            "name", "dataset", "characteristic", "group_column", "population_column", "columns", "area_column",
            "exclude_areas", "not_covered", "description",
        },
    )  # fmt: skip
    columns = table.get("columns")
    if columns is not None:
        columns = {str(k): (v,) if isinstance(v, str) else tuple(v) for k, v in columns.items()}
    elif not (table.get("group_column") and table.get("population_column")):
        raise SpecError(f"{where}: give either 'columns' (one per group) or 'group_column' and 'population_column'.")
    return Population(
        name=name,
        dataset=_text(table, "dataset", required=True, where=where),
        characteristic=_text(table, "characteristic", required=True, where=where),
        group_column=table.get("group_column"),
        population_column=table.get("population_column"),
        columns=columns,
        area_column=table.get("area_column"),
        exclude_areas=tuple(str(a) for a in table.get("exclude_areas", ())),
        not_covered=tuple(str(a) for a in table.get("not_covered", ())),
        description=table.get("description", ""),
    )


def _metric(table: dict[str, Any]) -> Metric:
    name = _text(table, "name", required=True)
    where = f"metric {name!r}"
    _only(
        table,
        where,
        {
            "name", "label", "kind", "dataset", "higher_is", "where", "numerator", "denominator", "column", "unit",
            "per", "characteristics", "headline", "interpretation", "outcome_test", "interval",
        },
    )  # fmt: skip
    kind = _text(table, "kind", required=True, where=where)
    _choose(kind, METRIC_KINDS, f"{where} kind")
    higher_is = _text(table, "higher_is", required=True, where=where)
    _choose(higher_is, ("better", "worse"), f"{where} higher_is")
    metric = Metric(
        name=name,
        label=table.get("label", name),
        kind=kind,
        dataset=_text(table, "dataset", required=True, where=where),
        higher_is=higher_is,
        where=_conditions(table.get("where", []), f"{where} where"),
        numerator=_conditions(table.get("numerator", []), f"{where} numerator"),
        denominator=_conditions(table.get("denominator", []), f"{where} denominator"),
        column=table.get("column"),
        unit=table.get("unit", "days"),
        per=int(table.get("per", 1000)),
        characteristics=_names(table.get("characteristics")),
        headline=bool(table.get("headline", True)),
        interpretation=" ".join(table.get("interpretation", "").split()),
        outcome_test=bool(table.get("outcome_test", False)),
        interval=str(table.get("interval", "exact")),
    )
    _choose(metric.interval, INTERVALS, f"{where} interval")
    if metric.interval != "exact" and kind != "rate":
        raise SpecError(f"{where}: 'interval' chooses a rate ratio's interval; a {kind} has its own.")
    if kind == "proportion" and not metric.numerator:
        raise SpecError(f"{where}: a proportion needs a 'numerator' condition (which rows count as the outcome).")
    if kind == "duration" and not metric.column:
        raise SpecError(f"{where}: a duration needs the 'column' that holds it.")
    if kind != "proportion" and (metric.numerator or metric.denominator):
        raise SpecError(f"{where}: only a proportion has a numerator and denominator; use 'where' to filter rows.")
    if metric.per <= 0:
        raise SpecError(f"{where}: 'per' must be positive.")
    return metric


def _conditions(raw: Any, where: str) -> tuple[Condition, ...]:
    if isinstance(raw, dict):
        raw = [raw]
    conditions = []
    for item in raw:
        if not isinstance(item, dict) or "column" not in item:
            raise SpecError(
                f"{where}: each condition is a table with a 'column' and one test, e.g. {{column=..., in=[...]}}."
            )
        ops = [k for k in item if k != "column"]
        if len(ops) != 1 or ops[0] not in CONDITION_OPS:
            raise SpecError(
                f"{where}: condition on {item['column']!r} must have exactly one test among {', '.join(CONDITION_OPS)}"
                f" (found {', '.join(ops) or 'none'})."
            )
        value = item[ops[0]]
        if ops[0] in ("in", "not_in") and (not isinstance(value, list) or not value):
            raise SpecError(f"{where}: '{ops[0]}' on {item['column']!r} needs a non-empty list.")
        if ops[0] in ("is", "is_null") and not isinstance(value, bool):
            raise SpecError(f"{where}: '{ops[0]}' on {item['column']!r} needs true or false.")
        if isinstance(value, dt.datetime):
            value = value.date()
        if ops[0] in ("lt", "le", "gt", "ge") and isinstance(value, str):
            try:  # a date written as text compares as a date, never as text against a number
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise SpecError(
                    f"{where}: '{ops[0]}' on {item['column']!r} needs a number or a date (YYYY-MM-DD), not {value!r}."
                ) from None
        conditions.append(
            Condition(column=item["column"], op=ops[0], value=tuple(value) if isinstance(value, list) else value)
        )
    return tuple(conditions)


def _finding_rule(table: dict[str, Any]) -> FindingRule:
    _only(table, "[findings]", {"alpha", "headline_adjustment", "exploratory_adjustment", "rule"})
    rule = FindingRule()
    alpha = float(table.get("alpha", rule.alpha))
    if not 0 < alpha < 1:
        raise SpecError("[findings] alpha must be between 0 and 1.")
    adjustments = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni"}
    headline = table.get("headline_adjustment", "holm")
    exploratory = table.get("exploratory_adjustment", "bh")
    for value, key in ((headline, "headline_adjustment"), (exploratory, "exploratory_adjustment")):
        _choose(value, tuple(adjustments), f"[findings] {key}")
    return FindingRule(
        alpha=alpha,
        headline_adjustment=adjustments[headline],
        exploratory_adjustment=adjustments[exploratory],
        text=" ".join(table.get("rule", rule.text).split()),
    )


def _pairs(table: dict[str, Any], characteristics: tuple[Characteristic, ...]) -> tuple[tuple[str, str], ...]:
    names = [c.name for c in characteristics if c.name not in table.get("exclude", [])]
    for name in table.get("exclude", []):
        if name not in {c.name for c in characteristics}:
            raise SpecError(f"[intersections] exclude: {name!r} is not a characteristic{_suggest(name, names)}.")
    if table.get("all"):
        return tuple((a, b) for i, a in enumerate(names) for b in names[i + 1 :])
    pairs = []
    for pair in table.get("pairs", []):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise SpecError(f"[intersections] pairs: {pair!r} is not a pair of characteristic names.")
        pairs.append((str(pair[0]), str(pair[1])))
    return tuple(pairs)


def _cross_check(spec: Spec) -> None:
    """Names used in one part of the file must be defined in another."""
    names = {c.name for c in spec.characteristics}
    metric_names = {m.name for m in spec.metrics}
    for metric in spec.metrics:
        _known(metric.dataset, spec.datasets, f"metric {metric.name!r} dataset")
        for name in metric.characteristics or ():
            _known(name, names, f"metric {metric.name!r} characteristics")
        if metric.kind == "rate" and metric.characteristics:
            for name in metric.characteristics:
                if not spec.population_for(name):
                    raise SpecError(
                        f"metric {metric.name!r} is a rate by {name!r}, but no population is given for {name!r}: "
                        "add a [[populations]] entry or drop it from the metric's characteristics."
                    )
        if metric.kind == "rate" and spec.months is None and not spec.period_column:
            raise SpecError(
                f"metric {metric.name!r} is a rate: give the [period] start and end (or the date column to read "
                "them from) so exposure P*m/12 is known."
            )
    for characteristic in spec.characteristics:
        for name in characteristic.datasets or ():
            _known(name, spec.datasets, f"characteristic {characteristic.name!r} datasets")
    for population in spec.populations:
        _known(population.dataset, spec.datasets, f"population {population.name!r} dataset")
        _known(population.characteristic, names, f"population {population.name!r} characteristic")
        codes = spec.characteristic(population.characteristic).codes
        for code in [*(population.columns or {}), *population.not_covered]:
            if codes and code not in codes:
                raise SpecError(
                    f"population {population.name!r} names group {code!r}, which is not a category of "
                    f"{population.characteristic!r}{_suggest(code, list(codes))}."
                )
    for a, b in spec.intersections:
        _known(a, names, "[intersections] pairs")
        _known(b, names, "[intersections] pairs")
        if a == b:
            raise SpecError(f"[intersections] pairs: {a!r} crossed with itself.")
    for group, label in (
        (spec.intersection_metrics, "[intersections]"),
        (spec.trend_metrics, "[trends]"),
        (spec.area_metrics, "[areas]"),
    ):
        for name in group or ():
            _known(name, metric_names, f"{label} metrics")
    _choose(spec.trend_from, ("label", "date"), "[trends] from")
    if spec.threshold < 1:
        raise SpecError("[suppression] threshold must be at least 1.")
    if spec.period_start and spec.period_end and spec.period_end < spec.period_start:
        raise SpecError("[period] ends before it starts.")


def _only(table: dict[str, Any], where: str, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise SpecError(f"{where}: unknown key {key!r}{_suggest(key, sorted(allowed))}.")


def _known(name: str, defined: Any, where: str) -> None:
    if name not in defined:
        raise SpecError(f"{where}: {name!r} is not defined in the specification{_suggest(name, list(defined))}.")


def _choose(value: Any, allowed: tuple[str, ...], where: str) -> None:
    if value not in allowed:
        raise SpecError(f"{where}: {value!r} is not one of {', '.join(allowed)}.")


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unique(names: list[str], what: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise SpecError(f"two {what}s are called {name!r}.")
        seen.add(name)


def _text(table: dict[str, Any], key: str, *, required: bool = False, where: str = "the specification") -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise SpecError(f"{where}: '{key}' is required.")
        return ""
    if not isinstance(value, str):
        raise SpecError(f"{where}: '{key}' must be text.")
    return value.strip()


def _table(raw: dict[str, Any], key: str, *, required: bool = False) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        if required:
            raise SpecError(f"the specification needs a [{key}] table.")
        return {}
    if not isinstance(value, dict):
        raise SpecError(f"'{key}' must be a table ([{key}]).")
    return value


def _array(raw: dict[str, Any], key: str, *, required: bool = False) -> list[dict[str, Any]]:
    value = raw.get(key)
    if value is None:
        if required:
            raise SpecError(f"the specification needs at least one [[{key}]] entry.")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise SpecError(f"'{key}' must be an array of tables ([[{key}]]).")
    return value


def _date(table: dict[str, Any], key: str) -> dt.date | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SpecError(f"[period] {key}: {value!r} is not a date (YYYY-MM-DD).") from None


def _names(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise SpecError(f"expected a list of names, got {value!r}.")
    return tuple(str(v) for v in value)
