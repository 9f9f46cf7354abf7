"""Small-number suppression for published tables, primary and secondary.

Primary: a cell under the threshold is hidden. Secondary: a hidden cell must never be recoverable by subtraction
from a published total, so every row and column that contains a hidden cell must contain at least two, counting
its total as a cell of the line (a hidden total needs another hidden cell too). Complements are chosen smallest
first, which hides the least information. That line rule is not enough on its own (cells that must add up to zero,
or a bridge between two groups of hidden cells, can still be worked out), so the result is then checked exactly by
linear programming, and one more cell is hidden beside any hidden cell whose value still follows from what is
published. The tests check the same property independently.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

Key = Hashable
MAX_CELLS_CHECKED = 2000  # the exact check solves one small linear programme per hidden zero


@dataclass
class Table:
    """Counts by row and column, with row, column and grand totals, and the set of hidden cells."""

    rows: list[Key]
    columns: list[Key]
    counts: dict[tuple[Key, Key], int]
    hidden: set[tuple[Key, Key]] = field(default_factory=set)
    # Totals are cells too: ("total", column), (row, "total") and ("total", "total").

    def value(self, row: Key, column: Key) -> int:
        if row == TOTAL and column == TOTAL:
            return sum(self.counts.values())
        if row == TOTAL:
            return sum(self.counts.get((r, column), 0) for r in self.rows)
        if column == TOTAL:
            return sum(self.counts.get((row, c), 0) for c in self.columns)
        return self.counts.get((row, column), 0)

    def shown(self, row: Key, column: Key) -> int | None:
        return None if (row, column) in self.hidden else self.value(row, column)


TOTAL = "total"


def suppress(
    rows: Sequence[Key],
    columns: Sequence[Key],
    counts: dict[tuple[Key, Key], int],
    *,
    threshold: int = 5,
    hidden: Iterable[tuple[Key, Key]] = (),
    fixed: Iterable[tuple[Key, Key]] = (),
) -> Table:
    """Hide every count under `threshold` (totals included), then enough others that none can be worked out.

    `hidden` seeds cells already hidden elsewhere (a group hidden in a linked table stays hidden here). `fixed`
    cells are published elsewhere, so hiding them here protects nothing: they are never chosen as complements.
    """
    table = Table(list(rows), list(columns), dict(counts), hidden=set(hidden))
    fixed = set(fixed)
    all_rows = [*table.rows, TOTAL]
    all_columns = [*table.columns, TOTAL]
    for r in all_rows:
        for c in all_columns:
            if table.value(r, c) < threshold:
                table.hidden.add((r, c))
    while True:
        changed = True
        while changed:
            changed = False
            for line in _lines(all_rows, all_columns):
                complement = _complement_needed(table, line, fixed)
                if complement is not None:
                    table.hidden.add(complement)
                    changed = True
        # The line rule is necessary, not sufficient: several lines together can still pin a cell (a bridge
        # between two cycles of hidden cells, or hidden cells that must add up to zero). Check exactly, and hide
        # one more cell beside any cell that can still be worked out.
        pinned = _pinned_cell(table, all_rows, all_columns)
        if pinned is None:
            return table
        extra = _complement_beside(table, pinned, fixed)
        if extra is None:
            return table
        table.hidden.add(extra)


def _complement_needed(table: Table, line: list[tuple[Key, Key]], fixed: set) -> tuple[Key, Key] | None:
    """The cell to hide next in this line, if its hidden cells could otherwise be worked out.

    One hidden cell is its total minus the rest. Several hidden cells that add up to zero under a published total
    are pinned too (counts are never negative, so each must be zero): they need a complement that is not zero.
    """
    hidden_in_line = [cell for cell in line if cell in table.hidden]
    if not hidden_in_line:
        return None
    candidates = [cell for cell in line if cell not in table.hidden and cell not in fixed]
    if len(hidden_in_line) == 1:
        return min(candidates, key=lambda cell: (table.value(*cell), str(cell))) if candidates else None
    total, interior = line[-1], line[:-1]
    if total not in table.hidden and sum(table.value(*cell) for cell in interior if cell in table.hidden) == 0:
        positive = [cell for cell in candidates if cell != total and table.value(*cell) > 0]
        return min(positive, key=lambda cell: (table.value(*cell), str(cell))) if positive else None
    return None


def _pinned_cell(table: Table, all_rows: list[Key], all_columns: list[Key]) -> tuple[Key, Key] | None:
    """A hidden cell whose value follows from what is published, if any.

    Every hidden cell, totals included, is an unknown; every row and column gives one equation (its cells add up to
    its total); counts are non-negative. A cell is pinned when the null space of the system has no component along
    it (one SVD for the whole table), once the hidden zeros that non-negativity forces to stay zero are added as
    equations (one small linear programme per hidden zero; cells that are not zero cannot be forced).
    """
    cells = sorted(table.hidden, key=str)
    if not cells:
        return None
    index = {cell: i for i, cell in enumerate(cells)}
    equations, rhs = [], []
    for line in _lines(all_rows, all_columns):
        *parts, total = line
        row = np.zeros(len(cells))
        known = 0
        for cell in parts:
            if cell in index:
                row[index[cell]] += 1
            else:
                known += table.value(*cell)
        if total in index:
            row[index[total]] -= 1
            constant = -known
        else:
            constant = table.value(*total) - known
        if row.any():
            equations.append(row)
            rhs.append(constant)
    if not equations:
        return None
    a_eq, b_eq = np.array(equations), np.array(rhs, dtype=float)
    # Counts cannot be negative, so some hidden zeros may be forced to stay zero. The affine hull of the feasible
    # set is the equations plus x_j = 0 for exactly those cells, so a cell is pinned if and only if that extended
    # system leaves it no freedom. Only hidden zeros can be forced.
    zeros = [index[cell] for cell in cells if table.value(*cell) == 0 and not _can_grow(table, cell)]
    forced = _forced_zeros(a_eq, b_eq, zeros) if len(zeros) <= MAX_CELLS_CHECKED else zeros
    system = np.vstack([a_eq, np.eye(len(cells))[forced]]) if forced else a_eq
    # A cell is determined exactly when its unit vector lies in the row space of the system.
    _, singular, vt = np.linalg.svd(system, full_matrices=False)
    rank = int((singular > 1e-9 * max(singular.max(), 1)).sum())
    in_row_space = (vt[:rank] ** 2).sum(axis=0)
    for cell in cells:
        if in_row_space[index[cell]] > 1 - 1e-9:
            return cell
    return None


def _forced_zeros(a_eq: np.ndarray, b_eq: np.ndarray, candidates: list[int]) -> list[int]:
    """Which candidate cells can never rise above zero, in a few linear programmes rather than one per cell.

    Maximise the sum of t_j <= min(x_j, 1) over the candidates still in doubt: any with t_j > 0 can be positive
    and leaves the doubt; when the optimum is zero, those left are forced. (Row and column totals make the system
    totally unimodular, so "can be positive" and "can be at least 1" are the same thing.)
    """
    remaining = list(candidates)
    n = a_eq.shape[1]
    while remaining:
        m = len(remaining)
        objective = np.concatenate([np.zeros(n), -np.ones(m)])
        equalities = np.hstack([a_eq, np.zeros((a_eq.shape[0], m))])
        bound_t = np.zeros((m, n + m))
        for row, j in enumerate(remaining):
            bound_t[row, j], bound_t[row, n + row] = -1, 1
        result = linprog(
            objective, A_ub=bound_t, b_ub=np.zeros(m), A_eq=equalities, b_eq=b_eq,
            bounds=[(0, None)] * n + [(0, 1)] * m, method="highs",
        )  # fmt: skip
        if result.status != 0:
            return remaining  # cannot tell: treat as forced, which only hides more
        grown = [j for row, j in enumerate(remaining) if result.x[n + row] > 1e-9]
        if not grown:
            return remaining
        remaining = [j for j in remaining if j not in grown]
    return []


def _can_grow(table: Table, cell: tuple[Key, Key]) -> bool:
    """A quick sufficient test that a hidden zero is not forced: a rectangle of hidden cells lets it rise by one.

    Adding 1 at (r, c) and (r2, c2) and taking 1 from (r, c2) and (r2, c) keeps every row and column total.
    """
    row, column = cell
    if TOTAL in cell:
        return False
    other_columns = [c for c in table.columns if c != column and (row, c) in table.hidden and table.value(row, c) > 0]
    if not other_columns:
        return False
    for other_row in table.rows:
        if other_row == row or (other_row, column) not in table.hidden or table.value(other_row, column) < 1:
            continue
        if any((other_row, c) in table.hidden for c in other_columns):
            return True
    return False


def _complement_beside(table: Table, cell: tuple[Key, Key], fixed: set) -> tuple[Key, Key] | None:
    """The smallest non-zero published cell in the same row or column as `cell`, interior cells first."""
    row, column = cell
    line = [(row, c) for c in [*table.columns, TOTAL]] + [(r, column) for r in [*table.rows, TOTAL]]
    candidates = [c for c in line if c not in table.hidden and c not in fixed and table.value(*c) > 0]
    if not candidates:
        candidates = [
            (r, c)
            for r in [*table.rows, TOTAL]
            for c in [*table.columns, TOTAL]
            if (r, c) not in table.hidden and (r, c) not in fixed and table.value(r, c) > 0
        ]
    return min(candidates, key=lambda c: (TOTAL in c, table.value(*c), str(c))) if candidates else None


def _lines(rows: list[Key], columns: list[Key]) -> list[list[tuple[Key, Key]]]:
    """Each row and each column, with its total: the sets of cells tied by one published equation."""
    return [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]


def round_to(value: int, base: int = 5) -> int:
    """Published counts may be rounded to the nearest 5 as well, where a publisher asks for it."""
    return int(base * round(value / base))
