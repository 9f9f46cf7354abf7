"""From counts to results: each metric by each group, compared with its reference, suppressed, adjusted, judged.

One result row per metric and cell (a group, two groups crossed, a group in one quarter or area). The order of work
matters: statistics first on exact counts, then suppression decides what may be published, then the p-values of
what is published are adjusted across the whole assessment, and only then is each result given its finding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import statistics as st
from .cube import AREA, QUARTER, Cube
from .disclosure import CellTable, suppress_layout
from .findings import judge, statement
from .populations import ALL_AREAS
from .spec import UNKNOWN, Characteristic, Condition, Metric, Spec

RESULT_FIELDS = (
    "metric", "metric_label", "kind", "family", "scope", "characteristic", "characteristic_label", "recorded_as",
    "group", "group_label", "by", "by_group", "by_group_label", "reference", "reference_label", "count",
    "denominator", "exposure", "value", "low", "high", "unit", "mean", "reference_value", "ratio", "ratio_low",
    "ratio_high", "ratio_method", "adjusted_low", "adjusted_high", "adjusted_level", "bound_low", "bound_high",
    "p_value", "p_holm", "p_bh", "p_adjusted", "suppressed", "suppression", "finding", "statement",
)  # fmt: skip
# Why a result carries no figures: its own count is under the threshold; it is hidden so that a small group
# elsewhere in the table cannot be worked out; or its reference group is hidden.
SMALL, PROTECTS, REFERENCE_HIDDEN = "fewer_than_threshold", "protects_small_group", "reference_hidden"
UNIT = {"rate": "per {per:,} a year", "proportion": "%", "duration": "{unit}"}


@dataclass
class Cell:
    """Internal result under construction: the public fields plus what suppression and judging need."""

    row: dict
    layout: tuple[str, ...]
    cell: tuple[int, ...]
    metric: Metric
    comparison: st.Comparison | None = None
    reference_cell: tuple[int, ...] | None = None
    extra: dict = field(default_factory=dict)


def analyse(spec: Spec, cubes: dict[str, Cube], populations: dict[str, dict]) -> list[dict]:
    """Every result of the assessment, published-safe, with findings. `populations`: characteristic -> counts."""
    cells: list[Cell] = []
    for metric in spec.metrics:
        cells += _metric_cells(spec, metric, cubes[metric.dataset], populations)
    for dataset, cube in cubes.items():
        metrics = [m for m in spec.metrics if m.dataset == dataset]
        _suppress(spec, cube, metrics, [c for c in cells if c.metric.dataset == dataset])
    _adjust(spec, cells)
    for c in cells:
        c.row["finding"] = judge(c.row, c.metric, spec)
        c.row["statement"] = statement(c.row, c.metric, spec.threshold)
    return [{name: _clean(c.row.get(name)) for name in RESULT_FIELDS} for c in cells]


def _metric_cells(spec: Spec, metric: Metric, cube: Cube, populations: dict[str, dict]) -> list[Cell]:
    characteristics = spec.characteristics_of(metric)
    months = spec.months
    quarters = QUARTER in cube.levels and (spec.trend_metrics is None or metric.name in spec.trend_metrics)
    areas = AREA in cube.levels and spec.area_metrics is not None and metric.name in spec.area_metrics
    total, covered = _people_total(metric, characteristics, populations, spec)
    overall = _cell(metric, cube, (), (), total, months)
    if covered is not None:  # no population covers every group: the rate counts only the groups it has people for
        _restrict_overall(overall, cube, metric, covered, total, months)
    cells = [overall]
    for characteristic in characteristics:
        people = _people_lookup(metric, characteristic, populations)
        cells += _compare(spec, metric, cube, (characteristic.name,), lambda g, _, p=people: (p(g, ALL_AREAS), months))
    if quarters:
        quarter_months = {q: _months_in_quarter(spec, q) for q in cube.levels[QUARTER]}
        for index, quarter in enumerate(cube.levels[QUARTER]):
            if quarter != UNKNOWN:
                cells.append(_descriptive(metric, cube, QUARTER, index, quarter, total, quarter_months[quarter]))
        for characteristic in characteristics:
            people = _people_lookup(metric, characteristic, populations)
            cells += _compare(
                spec, metric, cube, (characteristic.name, QUARTER),
                lambda g, q, p=people: (p(g, ALL_AREAS), quarter_months.get(q)),
            )  # fmt: skip
    if areas:
        first = characteristics[0] if characteristics else None
        for index, area in enumerate(cube.levels[AREA]):
            if area != UNKNOWN:
                people = _people_in_area(metric, first, populations, area)
                cells.append(_descriptive(metric, cube, AREA, index, area, people, months))
        for characteristic in characteristics:
            people = _people_lookup(metric, characteristic, populations)
            cells += _compare(spec, metric, cube, (characteristic.name, AREA), lambda g, a, p=people: (p(g, a), months))
    if metric.kind != "rate" and (spec.intersection_metrics is None or metric.name in spec.intersection_metrics):
        names = {c.name for c in characteristics}
        for a, b in spec.intersections:
            if {a, b} <= names:  # both assessed for this metric (and held in its data set)
                cells += _compare(spec, metric, cube, (a, b), lambda g, h: (None, None))
    return cells


def _compare(spec: Spec, metric: Metric, cube: Cube, layout: tuple[str, ...], people_of) -> list[Cell]:
    """A row per cell of the layout, each compared with its reference cell.

    One characteristic: against its reference group. By quarter or area: against the reference group in the same
    quarter or area. Two characteristics crossed: against the cell where both are the reference (e.g. White and
    heterosexual), the usual reference for intersectional comparisons.
    """
    first = spec.characteristic(layout[0])
    second = spec.characteristic(layout[1]) if len(layout) == 2 and layout[1] in cube.characteristics else None
    scope = {1: "group"}.get(len(layout)) or ("intersection" if second else layout[1])
    levels = [cube.levels[d] for d in layout]
    ref0 = levels[0].index(first.reference)
    cells = []
    for index in np.ndindex(*[len(lv) for lv in levels]):
        names = [levels[i][j] for i, j in enumerate(index)]
        if scope != "group" and UNKNOWN in names:
            continue  # unknown groups are shown once, in the characteristic's own table
        ref = (ref0, levels[1].index(second.reference)) if second else (ref0, *index[1:])
        ref_names = [levels[i][j] for i, j in enumerate(ref)]
        people, months = people_of(names[0], names[1] if len(names) > 1 else None)
        cell = _cell(metric, cube, layout, index, people, months)
        if names[0] == UNKNOWN or (metric.kind == "rate" and not (people and months)):
            cell.row["finding"] = "not_compared"  # group not known, or no population figure for it
        elif index == ref:
            cell.row["finding"] = "reference"
        else:
            ref_people, _ = people_of(ref_names[0], ref_names[1] if len(ref_names) > 1 else None)
            ref_exposure = ref_people * months / 12 if ref_people and months else None
            cell.extra["ref_exposure"] = ref_exposure
            _comparison(cell, cube, metric, layout, ref, ref_exposure)
            exposure = cell.row.get("exposure")
            if scope == "group" and metric.kind == "rate" and exposure and ref_exposure:
                unknown = _count(cube.table(layout), metric, (levels[0].index(UNKNOWN),))
                b = st.unknown_bounds(cell.extra["count"], exposure, cell.extra["ref_count"], ref_exposure, unknown)
                cell.row["bound_low"], cell.row["bound_high"] = b.low, b.high
        _label(cell, spec, layout, names, scope)
        cells.append(cell)
    return cells


def _descriptive(metric: Metric, cube: Cube, dim: str, index: int, level: str, people, months) -> Cell:
    """The whole population by quarter or by area: the trend or spread of the whole, without comparison."""
    cell = _cell(metric, cube, (dim,), (index,), people, months)
    cell.row.update(scope=dim, by=dim, by_group=level, by_group_label=level, family="exploratory")
    return cell


def _cell(metric: Metric, cube: Cube, layout, index, people, months) -> Cell:
    """The group's own figure: n, value and its 95% interval."""
    table = cube.table(layout)
    row = {
        "metric": metric.name,
        "metric_label": metric.label,
        "kind": metric.kind,
        "scope": "overall",
        "family": "headline" if len(layout) <= 1 and metric.headline else "exploratory",
        "unit": UNIT[metric.kind].format(per=metric.per, unit=metric.unit),
        "suppressed": False,
    }
    cell = Cell(row=row, layout=layout, cell=tuple(index), metric=metric)
    if metric.kind == "rate":
        count = _count(table, metric, index)
        exposure = people * months / 12 if people and months else None
        estimate = st.poisson_rate(count, exposure, metric.per) if exposure else st.Estimate(None, None, None)
        row.update(count=count, exposure=exposure, denominator=people)
    elif metric.kind == "proportion":
        count, n = _count(table, metric, index), int(np.rint(table[f"{metric.name}__den"][tuple(index)]))
        estimate = st.wilson(count, n)
        row.update(count=count, denominator=n)
    else:
        distribution = _distribution(cube, metric, layout, index, table)
        estimate = st.Estimate(distribution.median, distribution.median_low, distribution.median_high)
        row.update(count=distribution.n, mean=distribution.mean)
        cell.extra["distribution"] = distribution
    row.update(value=estimate.value, low=estimate.low, high=estimate.high)
    cell.extra["count"] = row["count"]
    return cell


def _comparison(cell: Cell, cube: Cube, metric: Metric, layout, ref, ref_exposure) -> None:
    table = cube.table(layout)
    cell.reference_cell = tuple(ref)
    if metric.kind == "rate":
        count, ref_count, exposure = cell.extra["count"], _count(table, metric, ref), cell.row["exposure"]
        cell.extra["ref_count"] = ref_count
        if exposure and ref_exposure:
            method = {"exact": "exact", "log-wald": "wald"}[metric.interval]

            def compare(confidence: float = st.CONFIDENCE) -> st.Comparison:
                return st.rate_ratio(count, exposure, ref_count, ref_exposure, method=method, confidence=confidence)

            cell.extra["compare"] = compare
            cell.comparison = compare()
            cell.row["reference_value"] = metric.per * ref_count / ref_exposure
    elif metric.kind == "proportion":
        ref_count, ref_n = _count(table, metric, ref), int(np.rint(table[f"{metric.name}__den"][ref]))
        k, n = cell.extra["count"], cell.row["denominator"]
        cell.extra["compare"] = lambda confidence=st.CONFIDENCE: st.proportion_ratio(k, n, ref_count, ref_n, confidence)
        cell.comparison = cell.extra["compare"]()
        cell.row["reference_value"] = ref_count / ref_n if ref_n else None
    else:
        ref_distribution, own = _distribution(cube, metric, layout, ref, table), cell.extra["distribution"]
        cell.extra["compare"] = lambda confidence=st.CONFIDENCE: st.mean_ratio(own, ref_distribution, confidence)
        cell.comparison = cell.extra["compare"]()
        cell.row["reference_value"] = ref_distribution.median
    c = cell.comparison
    if c is not None:
        cell.row.update(ratio=c.ratio, ratio_low=c.low, ratio_high=c.high, ratio_method=c.method, p_value=c.p_value)


def _label(cell: Cell, spec: Spec, layout, names, scope) -> None:
    first = spec.characteristic(layout[0])
    cell.row.update(
        scope=scope,
        characteristic=first.name,
        characteristic_label=first.label,
        recorded_as=first.described,
        group=names[0],
        group_label=first.label_of(names[0]),
        reference=first.reference,
        reference_label=first.label_of(first.reference),
    )
    if len(layout) == 2:
        if scope == "intersection":
            second = spec.characteristic(layout[1])
            cell.row.update(
                by=second.name,
                by_group=names[1],
                by_group_label=second.label_of(names[1]),
                reference=f"{first.reference} & {second.reference}",
                reference_label=f"{first.label_of(first.reference)}, {second.label_of(second.reference)}",
            )
        else:
            cell.row.update(by=layout[1], by_group=names[1], by_group_label=names[1])


def _count(table: dict, metric: Metric, index) -> int:
    name = {"rate": "__ev", "proportion": "__num", "duration": "__cnt"}[metric.kind]
    return int(np.rint(table[f"{metric.name}{name}"][tuple(index)]))


def _distribution(cube: Cube, metric: Metric, layout, index, table) -> st.Distribution:
    """Exact summaries from the histogram for one dimension; mean and SD from sums for two (no median)."""
    if len(layout) <= 1:
        per_level = cube.histogram(metric.name, layout[0] if layout else None)
        level = cube.levels[layout[0]][index[0]] if layout else "all"
        values, counts = per_level.get(level, (np.zeros(0), np.zeros(0, dtype=np.int64)))
        return st.distribution(values, counts)
    n = int(np.rint(table[f"{metric.name}__cnt"][index]))
    if n == 0:
        return st.Distribution(0, None, None, None, None, None)
    total, squares = table[f"{metric.name}__sum"][index], table[f"{metric.name}__ssq"][index]
    mean = total / n
    sd = math.sqrt(max(squares - n * mean * mean, 0.0) / (n - 1)) if n > 1 else None
    return st.Distribution(n, mean, sd, None, None, None)


def _people_lookup(metric: Metric, characteristic: Characteristic, populations: dict[str, dict]):
    """A function (group, area) -> people, or None where the population has no figure or the metric is no rate."""
    counts = populations.get(characteristic.name, {}) if metric.kind == "rate" else {}
    return lambda group, area: counts.get((area, group))


def _people_total(metric: Metric, characteristics, populations: dict[str, dict], spec: Spec):
    """The population the overall rate divides by, and (when it is not everyone) the groups it covers.

    The overall rate must count the events of the people it divides by. A population that covers every group
    (none `not_covered`) gives everyone; failing that, the first population's groups, and the rate then counts the
    events of those groups only (not those of groups without a figure, nor of unknown group).
    """
    if metric.kind != "rate":
        return None, None
    found = [(c, populations[c.name]) for c in characteristics if populations.get(c.name)]
    for characteristic, counts in found:
        population = spec.population_for(characteristic.name)
        if population is not None and not population.not_covered:
            return sum(p for (a, _), p in counts.items() if a is ALL_AREAS), None
    if not found:
        return None, None
    characteristic, counts = found[0]
    groups = {g for (a, g) in counts if a is ALL_AREAS}
    return sum(p for (a, _), p in counts.items() if a is ALL_AREAS), (characteristic, groups)


def _restrict_overall(cell: Cell, cube: Cube, metric: Metric, covered, people, months) -> None:
    """The overall rate of the covered groups only: their events over their people."""
    characteristic, groups = covered
    levels = cube.levels[characteristic.name]
    events = cube.table((characteristic.name,))[f"{metric.name}__ev"]
    count = int(np.rint(sum(events[i] for i, level in enumerate(levels) if level in groups)))
    exposure = people * months / 12 if people and months else None
    estimate = st.poisson_rate(count, exposure, metric.per) if exposure else st.Estimate(None, None, None)
    cell.row.update(value=estimate.value, low=estimate.low, high=estimate.high)
    cell.extra["covered"] = (characteristic, groups, count)


def _people_in_area(metric: Metric, characteristic, populations: dict[str, dict], area: str) -> float | None:
    if metric.kind != "rate" or characteristic is None:
        return None
    return sum(p for (a, _), p in populations.get(characteristic.name, {}).items() if a == area) or None


def _months_in_quarter(spec: Spec, quarter: str) -> float | None:
    """Months of the assessment period that fall in a 'YYYYQn' quarter (for a partial first or last quarter)."""
    if not (spec.period_start and spec.period_end) or len(quarter) != 6 or quarter[4] != "Q":
        return None
    try:
        year, q = int(quarter[:4]), int(quarter[5])
    except ValueError:
        return None
    start = year * 12 + (q - 1) * 3
    first = spec.period_start.year * 12 + spec.period_start.month - 1
    last = spec.period_end.year * 12 + spec.period_end.month - 1
    covered = sum(1 for month in range(start, start + 3) if first <= month <= last)
    return float(covered) or None


def _suppress(spec: Spec, cube: Cube, metrics: list[Metric], cells: list[Cell]) -> None:
    """Hide small counts and whatever would let them be worked out; hidden results publish no numbers.

    Every other published figure is then checked against the hidden counts: bounds for the unknown group, and an
    overall rate restricted to some groups, are published only in a form that gives back nothing hidden.
    """
    components = _components(metrics)
    layouts = sorted({c.layout for c in cells}, key=len)
    hidden: dict[tuple, set] = {}  # (layout, component) -> hidden cells
    for layout in layouts:
        for component in components:
            # only the metrics published in this layout (an area table exists for the area metrics alone)
            present = {c.metric.name for c in cells if c.layout == layout}
            members = [m for m in metrics if m.name in component and m.name in present]
            if not members:
                continue
            tables = [CellTable.for_metric(cube, m, layout) for m in members]
            margins = {d: hidden.get(((d,), component), set()) for d in layout} if len(layout) == 2 else {}
            overall_hidden = hidden.get(((), component), set())
            hidden[(layout, component)] = suppress_layout(
                tables, layout, cube, spec.threshold, margins=margins, overall_hidden=bool(overall_hidden)
            )
    for cell in cells:
        component = next(c for c in components if cell.metric.name in c)
        mask = hidden[(cell.layout, component)]
        if cell.cell in mask:
            _hide(cell.row, _why_hidden(cell, spec.threshold))
        elif cell.reference_cell is not None and cell.reference_cell in mask:
            _hide(cell.row, REFERENCE_HIDDEN, keep_own=True)
        else:
            _publish_safely(cell, cube, spec, hidden, component)
            if spec.round_to:
                for key in ("count", "denominator"):
                    if cell.row.get(key) is not None:
                        cell.row[key] = int(spec.round_to * round(cell.row[key] / spec.round_to))


def _why_hidden(cell: Cell, threshold: int) -> str:
    """'fewer than the threshold' only when the group's own count (or, for a share, the rest of it) is."""
    count = cell.extra.get("count")
    rest = (cell.row.get("denominator") or 0) - (count or 0) if cell.metric.kind == "proportion" else None
    if count is not None and count < threshold:
        return SMALL
    if rest is not None and rest < threshold:
        return SMALL
    return PROTECTS


def _publish_safely(cell: Cell, cube: Cube, spec: Spec, hidden: dict, component) -> None:
    """Figures derived from hidden counts are coarsened to what the published table already gives away."""
    if cell.layout == () and "covered" in cell.extra:
        characteristic, groups, _ = cell.extra["covered"]
        levels = cube.levels[characteristic.name]
        mask = hidden.get(((characteristic.name,), component), set())
        if any((i,) in mask for i, level in enumerate(levels) if level in groups):
            # the rate of the covered groups would give back the sum of their counts, hidden ones included
            cell.row.update(value=None, low=None, high=None)
            cell.row["suppression"] = PROTECTS
    if cell.row.get("bound_low") is None and cell.row.get("bound_high") is None:
        return
    levels = cube.levels[cell.layout[0]]
    unknown = (levels.index(UNKNOWN),)
    mask = hidden.get((cell.layout, component), set())
    if unknown not in mask:
        return
    # The bounds put every unknown event with the group or with the reference: published with the true unknown
    # count, they give it back (H x the reference's rate x the group's exposure - its count). They use instead the
    # most the unknown group can hold given what is published, which the table gives away anyway.
    most = _most_unknown(cube, cell.metric, cell.layout, mask, spec.threshold, hidden.get(((), component)))
    if most is None:
        cell.row["bound_low"] = cell.row["bound_high"] = None
        return
    exposure, ref_exposure = cell.row["exposure"], cell.extra["ref_exposure"]
    bounds = st.unknown_bounds(cell.extra["count"], exposure, cell.extra["ref_count"], ref_exposure, most)
    cell.row["bound_low"], cell.row["bound_high"] = bounds.low, bounds.high


def _most_unknown(cube: Cube, metric: Metric, layout, mask: set, threshold: int, overall_hidden) -> int | None:
    """The largest unknown count consistent with the published one-way table (None if the total is hidden)."""
    if overall_hidden:
        return None
    events = cube.table(layout)[f"{metric.name}__ev"]
    levels = cube.levels[layout[0]]
    total = int(np.rint(events.sum()))
    left = total
    for i, _ in enumerate(levels):
        count = int(np.rint(events[i]))
        if (i,) not in mask:
            left -= count
        elif levels[i] != UNKNOWN and count >= threshold:
            left -= threshold  # a group hidden to protect another is known to hold at least the threshold
    unknown = int(np.rint(events[levels.index(UNKNOWN)]))
    return min(left, threshold - 1) if unknown < threshold else left


def _hide(row: dict, reason: str, *, keep_own: bool = False) -> None:
    """Blank every number that could reveal the hidden count; keep_own keeps the group's own figure."""
    comparison = (
        "reference_value", "ratio", "ratio_low", "ratio_high", "adjusted_low", "adjusted_high", "bound_low",
        "bound_high", "p_value",
    )  # fmt: skip
    own = ("count", "denominator", "exposure", "value", "low", "high", "mean")
    for key in comparison + (() if keep_own else own):
        row[key] = None
    row["suppressed"] = not keep_own
    row["finding"] = "too_few"
    row["suppression"] = reason


def _components(metrics: list[Metric]) -> list[frozenset[str]]:
    """Metrics that publish the same count (e.g. all referrals) must hide the same groups: group them."""
    keys = {m.name: _count_keys(m) for m in metrics}
    components: list[set[str]] = []
    for metric in metrics:
        linked = [c for c in components if any(keys[metric.name] & keys[other] for other in c)]
        merged = {metric.name}.union(*linked)
        components = [c for c in components if c not in linked] + [merged]
    return [frozenset(c) for c in components]


def _count_keys(metric: Metric) -> set[tuple[Condition, ...]]:
    where = tuple(sorted(metric.where, key=repr))
    if metric.kind == "rate":
        return {where}
    if metric.kind == "proportion":
        den = tuple(sorted((*metric.where, *metric.denominator), key=repr))
        num = tuple(sorted((*den, *metric.numerator), key=repr))
        return {den, num}
    return {(*where, Condition(metric.column or "", "is_null", False))}


def _adjust(spec: Spec, cells: list[Cell]) -> None:
    """Holm and Benjamini-Hochberg across each family of the whole assessment (published tests only), and each
    tested ratio's interval at the level that agrees with its adjusted test: the interval a finding rests on."""
    for family, method in (
        ("headline", spec.findings.headline_adjustment),
        ("exploratory", spec.findings.exploratory_adjustment),
    ):
        tested = [c for c in cells if c.row.get("family") == family and c.row.get("p_value") is not None]
        p_values = [c.row["p_value"] for c in tested]
        for c, holm, bh, chosen in zip(
            tested, st.adjust(p_values, "holm"), st.adjust(p_values, "fdr_bh"), st.adjust(p_values, method),
            strict=True,
        ):  # fmt: skip
            c.row.update(p_holm=holm, p_bh=bh, p_adjusted=chosen)
            level = st.adjusted_confidence(c.row["p_value"], chosen, spec.findings.alpha, len(tested))
            adjusted = c.extra["compare"](level) if "compare" in c.extra else c.comparison
            c.row.update(adjusted_low=adjusted.low, adjusted_high=adjusted.high, adjusted_level=level)


def _clean(value):
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


__all__ = ["RESULT_FIELDS", "Characteristic", "analyse"]
