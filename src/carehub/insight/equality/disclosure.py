"""Which results may be published: primary and secondary suppression over every table of the assessment.

Each metric publishes counts per cell (events for a rate; the outcome and the rest for a proportion, whose sum is the
group's n; values for a duration). Tables are linked: a characteristic's table gives the margins of its crossings,
by-quarter and by-area tables, and metrics that publish the same count (every referral, say) must hide the same
groups. So tables are suppressed in order (overall, single characteristics, then crossings), a published margin is
never chosen as a complement, a hidden one stays hidden, and metrics that share a count are hidden together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..suppression import TOTAL, suppress
from .cube import Cube
from .spec import UNKNOWN, Metric


@dataclass
class CellTable:
    """One metric's published counts over one layout, as named layers of arrays shaped like the layout."""

    metric: str
    layers: dict[str, np.ndarray]

    @classmethod
    def for_metric(cls, cube: Cube, metric: Metric, layout: tuple[str, ...]) -> CellTable:
        table = cube.table(layout)
        name = metric.name
        if metric.kind == "rate":
            layers = {"events": table[f"{name}__ev"]}
        elif metric.kind == "proportion":
            layers = {"outcome": table[f"{name}__num"], "rest": table[f"{name}__den"] - table[f"{name}__num"]}
        else:
            layers = {"values": table[f"{name}__cnt"]}
        return cls(metric=name, layers={k: np.rint(v).astype(np.int64) for k, v in layers.items()})


def suppress_layout(
    tables: list[CellTable],
    layout: tuple[str, ...],
    cube: Cube,
    threshold: int,
    *,
    margins: dict[str, set] | None = None,
    overall_hidden: bool = False,
) -> set[tuple[int, ...]]:
    """Cells of the layout hidden for every metric in `tables` (one linked group), to a fixed point."""
    if not layout:
        everyone = sum(int(t.layers[k]) for t in tables for k in t.layers)
        small = any(int(t.layers[k]) < threshold for t in tables for k in t.layers)
        return {()} if small and everyone else set()
    hidden: set[tuple[int, ...]] = set()
    unknown = _unknown_cells(cube, layout)
    empty = _empty_cells(tables)
    last: dict[int, set] = {}  # each table's last answer: still right while the seeds stay within it
    while True:
        found = set(hidden)
        for number, table in enumerate(tables):
            if number in last and hidden <= last[number]:
                found |= last[number]
                continue
            if len(layout) == 1:
                answer = _one_way(table, threshold, hidden, overall_hidden, empty, _unknown_rows(cube, layout))
            else:
                answer = _two_way(table, layout, threshold, hidden, margins or {}, overall_hidden, empty, unknown)
            last[number] = answer | hidden
            found |= answer
        if found == hidden:
            return hidden
        hidden = found


def _empty_cells(tables: list[CellTable]) -> set[tuple[int, ...]]:
    """Cells of the layout with nobody in them in any table of the group: a zero there discloses nothing."""
    total = sum(layer for t in tables for layer in t.layers.values())
    return {tuple(int(i) for i in index) for index in zip(*np.nonzero(total == 0), strict=True)}


def _one_way(table: CellTable, threshold: int, hidden: set, overall_hidden: bool, empty: set, unknown: set):
    """Groups as rows, the metric's layers as columns: a proportion's row total is its n, also published.

    A group is published or withheld whole (its layers and its n together); the "not known" group is the cheapest
    complement.
    """
    names = list(table.layers)
    size = len(next(iter(table.layers.values())))
    counts = {(r, k): int(table.layers[k][r]) for r in range(size) for k in names}
    seeds = {(r, k) for (r,) in hidden for k in names}
    fixed = set() if overall_hidden else {(TOTAL, k) for k in names} | {(TOTAL, TOTAL)}
    result = suppress(
        range(size), names, counts, threshold=threshold, hidden=seeds, fixed=fixed,
        empty={(r, k) for (r,) in empty for k in [*names, TOTAL]},
        cheap={(r, k) for r in unknown for k in [*names, TOTAL]},
        linked=[[(r, k) for k in [*names, TOTAL]] for r in range(size)],
    )  # fmt: skip
    return {(r,) for (r, k) in result.hidden if r != TOTAL}


def _two_way(table, layout, threshold, hidden, margins, overall_hidden, empty, unknown) -> set[tuple[int, ...]]:
    """Each layer as its own grid; margins published in the one-way tables are fixed, hidden ones stay hidden.

    Crossings never publish "not known" cells: they are hidden without a label, so they protect their neighbours
    at no cost, and need no protection of their own (the hidden margins they add up to still get it).
    """
    rows_hidden, columns_hidden = margins.get(layout[0], set()), margins.get(layout[1], set())
    found = set()
    for layer in table.layers.values():
        n_rows, n_columns = layer.shape
        counts = {(r, c): int(layer[r, c]) for r in range(n_rows) for c in range(n_columns)}
        seeds = set(hidden) | found | set(unknown)  # a cell hidden in one layer is hidden in all
        seeds |= {(r, TOTAL) for (r,) in rows_hidden} | {(TOTAL, c) for (c,) in columns_hidden}
        fixed = {(r, TOTAL) for r in range(n_rows) if (r,) not in rows_hidden}
        fixed |= {(TOTAL, c) for c in range(n_columns) if (c,) not in columns_hidden}
        if not overall_hidden:
            fixed.add((TOTAL, TOTAL))
        result = suppress(
            range(n_rows), range(n_columns), counts, threshold=threshold, hidden=seeds, fixed=fixed,
            empty={cell for cell in empty if cell not in unknown}, unlabelled=unknown, cheap=unknown,
        )  # fmt: skip
        found |= {cell for cell in result.hidden if TOTAL not in cell}
    return found


def _unknown_rows(cube: Cube, layout: tuple[str, ...]) -> set[int]:
    levels = cube.levels[layout[0]]
    return {i for i, level in enumerate(levels) if level == UNKNOWN}


def _unknown_cells(cube: Cube, layout: tuple[str, ...]) -> set[tuple[int, ...]]:
    """Crossings never publish 'not known' cells."""
    if len(layout) != 2:
        return set()
    first, second = (cube.levels[d] for d in layout)
    return {
        (r, c) for r in range(len(first)) for c in range(len(second)) if first[r] == UNKNOWN or second[c] == UNKNOWN
    }
