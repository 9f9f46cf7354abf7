"""Small-number suppression for published tables: primary, then the least secondary suppression that protects.

Primary: a count under the threshold is hidden, unless it is a zero that discloses nothing (a group with nobody in
it at all: "0" then says nothing about any person; the caller names those cells as `empty`).

Secondary: enough other cells are hidden that no primary cell can be pinned down. The requirement is the standard
one of tau-argus and sdcTable: an attacker who knows every published cell and total, that counts are never
negative, and what each hidden cell's label says (a cell shown as "fewer than 10" lies in 0..9; a cell hidden to
protect another is at least 10) must still find, by linear programming, that each primary cell could be `protection`
higher and `protection` lower than it is (as far as its own label allows). `unprotected` plays that attacker.

The complements are chosen by a small mixed-integer programme (scipy's HiGHS) that minimises a cost: one per
hidden cell, less for a "not known" cell (the natural complement: it says least about anyone), with a tie-break by
size below one cell in total, so large real groups are hidden last and the number of cells hidden is minimal among
real groups. The programme starts from the necessary line rule (a primary cell never stands alone among the hidden
cells of its row or column) and adds the exact protection constraints, a copy of the table's equations in which
the primary cell moves by its protection and only hidden cells may move with it, for each primary cell that the
attacker still pins (constraint generation, after Fischetti and Salazar-González, 1999). Each added copy is exact,
so the loop ends with an optimal, protected choice; should the solver fail, a greedy choice is made and checked.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import math
import os
import sys
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

Key = Hashable
Cell = tuple[Key, Key]
TOTAL = "total"
SOLVER_SECONDS = 5.0  # per mixed-integer solve: past it, the best protected-so-far choice found is taken
# Exact protection constraints cost a copy of the table per primary cell and direction. Past this many copied cells
# a large table (a crossing with hundreds of small cells) is finished by the greedy step instead, still checked.
COPY_BUDGET = 3000
CHEAP = 0.5  # cost of hiding a "not known" cell, against 1 for a real group
# The answers to the last tables asked, by everything that decides them: an assessment asks the same table for
# metrics that publish the same counts, and a service publishes the same tables again (a rerun, another format).
# A solve costs milliseconds to seconds; a table's key, microseconds. Bounded, oldest answer out first.
_ANSWERS: dict[tuple, Table] = {}
ANSWERS_KEPT = 512


@dataclass
class Table:
    """Counts by row and column, with row, column and grand totals, the hidden cells and the primary ones."""

    rows: list[Key]
    columns: list[Key]
    counts: dict[Cell, int]
    hidden: set[Cell] = field(default_factory=set)
    primary: set[Cell] = field(default_factory=set)  # hidden because small (their label says "fewer than ...")
    unlabelled: set[Cell] = field(default_factory=set)  # hidden without any label (never shown at all)
    threshold: int = 5
    protection: int = 1
    method: str = "optimal"  # or "greedy" when the solver could not be used
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

    @property
    def cells(self) -> list[Cell]:
        return [(r, c) for r in [*self.rows, TOTAL] for c in [*self.columns, TOTAL]]

    def lines(self) -> list[list[Cell]]:
        return _lines([*self.rows, TOTAL], [*self.columns, TOTAL])

    def known_bounds(self, cell: Cell) -> tuple[float, float]:
        """What a reader knows of a hidden cell from its label alone."""
        if cell in self.unlabelled:
            return 0.0, math.inf
        if self.value(*cell) < self.threshold:
            return 0.0, float(self.threshold - 1)
        return float(self.threshold), math.inf

    def required(self, cell: Cell) -> tuple[float, float]:
        """How far below and above its value a primary cell must be able to lie (within what its label says)."""
        low, high = self.known_bounds(cell)
        value = self.value(*cell)
        return min(self.protection, value - low), min(self.protection, high - value)


def suppress(
    rows: Sequence[Key],
    columns: Sequence[Key],
    counts: dict[Cell, int],
    *,
    threshold: int = 5,
    hidden: Iterable[Cell] = (),
    fixed: Iterable[Cell] = (),
    empty: Iterable[Cell] = (),
    cheap: Iterable[Cell] = (),
    unlabelled: Iterable[Cell] = (),
    linked: Iterable[Iterable[Cell]] = (),
    protection: int | None = None,
) -> Table:
    """Hide every sensitive count under `threshold` (totals included), then the least others that protect them.

    `hidden` seeds cells already hidden elsewhere (a group hidden in a linked table stays hidden here). `fixed`
    cells are published elsewhere, so hiding them protects nothing: they are never chosen. `empty` cells are zeros
    that disclose nothing (nobody is in the group): never hidden. `cheap` cells ("not known") are preferred as
    complements. `unlabelled` cells are hidden without a label. Each group of `linked` cells is hidden together (a
    group's row is published or withheld whole). `protection` defaults to a fifth of the threshold, at least 1.
    """
    rows, columns, counts = list(rows), list(columns), dict(counts)
    hidden, fixed, empty, cheap, unlabelled = (set(c) for c in (hidden, fixed, empty, cheap, unlabelled))
    linked = [list(g) for g in linked]
    key = (
        tuple(rows), tuple(columns), frozenset(counts.items()), threshold, protection,
        *(frozenset(c) for c in (hidden, fixed, empty, cheap, unlabelled)), tuple(tuple(g) for g in linked),
    )  # fmt: skip
    if key not in _ANSWERS:
        if len(_ANSWERS) >= ANSWERS_KEPT:
            del _ANSWERS[next(iter(_ANSWERS))]
        _ANSWERS[key] = _suppress(rows, columns, counts, threshold, hidden, fixed, empty, cheap, unlabelled, linked,
                                  protection)  # fmt: skip
    return copy.deepcopy(_ANSWERS[key])  # the caller's to change: the kept answer stays as it was


def _suppress(rows, columns, counts, threshold, hidden, fixed, empty, cheap, unlabelled, linked, protection) -> Table:
    table = Table(rows, columns, counts, hidden=hidden, threshold=threshold)
    table.protection = protection if protection is not None else max(1, round(threshold / 5))
    table.unlabelled = set(unlabelled)
    fixed, empty = set(fixed), set(empty) | _empty_totals(table, set(empty))
    for cell in table.cells:
        if table.value(*cell) < threshold and cell not in empty and cell not in fixed:
            table.hidden.add(cell)
    # A cell that is never shown ("not known" in a crossing) protects others but needs no protection itself: that
    # a group's characteristic is not known says nothing about anyone. A hidden margin it adds up to still does.
    table.primary = {
        c for c in table.hidden if table.value(*c) < threshold and c not in empty and c not in table.unlabelled
    }
    groups = [list(g) for g in linked]
    for group in groups:  # a linked group is hidden whole
        if any(c in table.hidden for c in group):
            table.hidden |= {c for c in group if c not in fixed}
    chosen = _optimal(table, fixed, empty, set(cheap), groups)
    if chosen is None:
        table.method = "greedy"
        _greedy(table, fixed | empty, groups)
    else:
        table.hidden = chosen
    return table


def unprotected(table: Table, cells: Iterable[Cell]) -> list[Cell]:
    """The primary cells among `cells` that the attacker can pin closer than their protection requires.

    Batched: one linear programme per direction lets every cell still in doubt move towards its requirement at
    once (maximising the sum of each one's progress, capped at what it needs); those that reach it are protected.
    Cells left over when no progress is made are reported too: the caller adds their exact constraints, which is
    right if they are pinned and merely unneeded if they were not.
    """
    doubtful = [c for c in cells if any(table.required(c))]
    if not doubtful:
        return []
    hidden = sorted(table.hidden, key=str)
    index = {c: i for i, c in enumerate(hidden)}
    a_eq, b_eq = _equations(table, index)
    bounds = [table.known_bounds(c) for c in hidden]
    bounds = [(low, None if math.isinf(high) else high) for low, high in bounds]
    failing: set[Cell] = set()
    for sign in (1.0, -1.0):  # upwards, then downwards
        remaining = [c for c in doubtful if table.required(c)[1 if sign > 0 else 0] > 0 and c not in failing]
        while remaining:
            reached = _progress(table, hidden, index, a_eq, b_eq, bounds, remaining, sign)
            if reached is None:
                break
            if not reached:  # counted as failing, which at worst adds exact constraints that were not needed
                failing |= set(remaining)
                break
            remaining = [c for c in remaining if c not in reached]
    return [c for c in doubtful if c in failing]


def _progress(table, hidden, index, a_eq, b_eq, bounds, cells, sign) -> set[Cell] | None:
    """Which of `cells` can reach their requirement in direction `sign` when all try at once."""
    from scipy.optimize import linprog  # here, not at the top: see `_solve`

    n, m = len(hidden), len(cells)
    needs = [table.required(c)[1 if sign > 0 else 0] for c in cells]
    objective = np.concatenate([np.zeros(n), -np.ones(m)])
    a_ub = np.zeros((m, n + m))
    b_ub = np.zeros(m)
    for k, c in enumerate(cells):  # t_k <= sign * (x_c - value_c)
        a_ub[k, index[c]] = -sign
        a_ub[k, n + k] = 1
        b_ub[k] = -sign * table.value(*c)
    equalities = None if a_eq is None else np.hstack([a_eq, np.zeros((a_eq.shape[0], m))])
    result = linprog(
        objective, A_ub=a_ub, b_ub=b_ub, A_eq=equalities, b_eq=b_eq,
        bounds=[*bounds, *[(0, need) for need in needs]], method="highs",
    )  # fmt: skip
    if result.status != 0:
        return None
    return {c for k, c in enumerate(cells) if result.x[n + k] >= needs[k] - 1e-6}


def _optimal(table: Table, fixed: set, empty: set, cheap: set, groups: list[list[Cell]]) -> set[Cell] | None:
    """The cheapest protected set of hidden cells, or None when the solver cannot give one.

    A large table may exhaust COPY_BUDGET: the cells still pinned then get complements from the greedy step, on top
    of the programme's choice (protected, but no longer provably the fewest).
    """
    to_protect = [c for c in sorted(table.primary, key=str) if any(table.required(c))]
    if not to_protect:
        return set(table.hidden)
    cells = table.cells
    index = {c: i for i, c in enumerate(cells)}
    active: list[Cell] = []
    for _ in range(len(to_protect) + 1):
        chosen = _solve(table, cells, index, fixed, empty, cheap, groups, to_protect, active)
        if chosen is None:
            return None
        trial = Table(table.rows, table.columns, table.counts, chosen, table.primary, table.unlabelled,
                      table.threshold, table.protection)  # fmt: skip
        failing = unprotected(trial, [c for c in to_protect if c not in active])
        if not failing:
            return chosen
        new = [c for c in failing if c not in active]
        if not new:  # the copies should have protected these: numerical trouble, let the fallback decide
            return None
        room = COPY_BUDGET // (2 * len(cells)) - len(active)
        if room <= 0:
            table.method = "optimal, then greedy (large table)"
            trial.method = table.method
            _greedy(trial, fixed | empty, groups)
            return trial.hidden
        active += new[:room]
    return None


def _solve(table, cells, index, fixed, empty, cheap, groups, to_protect, active) -> set[Cell] | None:
    """One mixed-integer programme: binaries y (hide), and for each active primary cell two deviation copies."""
    # scipy is imported when a table is first solved, not with this module: every page that may show a suppressed
    # table imports it, so every `carehub` command (system checks load the URLs) would otherwise pay about a second
    # of CPU to import scipy.optimize, whether it publishes anything or not.
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    n = len(cells)
    values = np.array([table.value(*c) for c in cells], dtype=float)
    lower = np.zeros(n)
    upper = np.ones(n)
    for i, c in enumerate(cells):
        if c in table.hidden:
            lower[i] = 1
        elif c in fixed or c in empty:
            upper[i] = 0
    scale = 4 * float(values[[i for i, c in enumerate(cells) if TOTAL not in c]].sum()) + 1
    cost = np.array([(CHEAP if c in cheap else 1.0) + 0.5 * values[i] / scale for i, c in enumerate(cells)])
    lines = table.lines()
    rows, cols, data, row_low, row_high = [], [], [], [], []
    r = 0

    def add(entries: list[tuple[int, float]], low: float, high: float) -> None:
        nonlocal r
        for j, v in entries:
            rows.append(r)
            cols.append(j)
            data.append(v)
        row_low.append(low)
        row_high.append(high)
        r += 1

    primary = set(to_protect)
    for line in lines:  # the line rule: a primary cell never stands alone among the hidden cells of a line
        for p in line:
            if p in primary:
                add([(index[c], 1.0) for c in line if c != p], 1, np.inf)
    for group in groups:
        members = [index[c] for c in group if c in index and c not in fixed]
        for a, b in itertools.pairwise(members):
            add([(a, 1.0), (b, -1.0)], 0, 0)
    big = 2 * float(values.max(initial=0)) + table.threshold + 1
    known = [table.known_bounds(c) for c in cells]
    offset = n
    for p in active:
        below, above = table.required(p)
        for direction, need in ((1, above), (-1, below)):
            if need <= 0:
                continue
            for line in lines:  # the deviations keep every row and column adding up
                *parts, total = line
                add([(offset + index[c], 1.0) for c in parts] + [(offset + index[total], -1.0)], 0, 0)
            for i in range(n):  # a cell moves only if hidden, and only within what its label says
                low, high = known[i]
                down = values[i] - low
                up = min(high - values[i], big)
                add([(offset + i, 1.0), (i, -up)], -np.inf, 0)
                add([(offset + i, 1.0), (i, down)], 0, np.inf)
            target = offset + index[p]
            add([(target, 1.0)], need, np.inf) if direction == 1 else add([(target, 1.0)], -np.inf, -need)
            offset += n
    extra = offset - n
    objective = np.concatenate([cost, np.zeros(extra)])
    integrality = np.concatenate([np.ones(n), np.zeros(extra)])
    bounds = Bounds(np.concatenate([lower, np.full(extra, -np.inf)]), np.concatenate([upper, np.full(extra, np.inf)]))
    constraints = []
    if r:
        matrix = coo_array((data, (rows, cols)), shape=(r, offset)).tocsr()
        constraints = [LinearConstraint(matrix, np.array(row_low), np.array(row_high))]
    with _quiet():
        result = milp(
            objective, integrality=integrality, bounds=bounds, constraints=constraints,
            options={"time_limit": SOLVER_SECONDS, "mip_rel_gap": 0.0},
        )  # fmt: skip
    if result.x is None or result.status not in (0, 1):
        return None
    return {cells[i] for i in range(n) if result.x[i] > 0.5}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """HiGHS's MIP solver can print a debugging line straight to file descriptor 1, past Python's sys.stdout; a
    command's output is its findings, so that line goes to /dev/null."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _empty_totals(table: Table, empty: set[Cell]) -> set[Cell]:
    """A total all of whose parts are empty is empty too."""
    found = set()
    for line in table.lines():
        *parts, total = line
        if parts and all(c in empty for c in parts):
            found.add(total)
    if all(c in empty for c in table.counts):
        found.add((TOTAL, TOTAL))
    return found


def _equations(table: Table, index: dict[Cell, int]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each line's equation over the hidden cells (published cells moved to the right-hand side)."""
    equations, rhs = [], []
    for line in table.lines():
        *parts, total = line
        row = np.zeros(len(index))
        constant = 0.0
        for c in parts:
            if c in index:
                row[index[c]] += 1
            else:
                constant -= table.value(*c)
        if total in index:
            row[index[total]] -= 1
        else:
            constant += table.value(*total)
        if row.any():
            equations.append(row)
            rhs.append(constant)
    if not equations:
        return None, None
    return np.array(equations), np.array(rhs)


def _greedy(table: Table, unusable: set, groups: list[list[Cell]]) -> None:
    """Fallback: beside every primary cell still pinned, hide its smallest usable neighbour; repeat until none is."""
    for _ in range(len(table.cells)):
        pinned = unprotected(table, sorted(table.primary, key=str))
        if not pinned:
            return
        added = False
        for row, column in pinned:
            line = [(row, c) for c in [*table.columns, TOTAL]] + [(r, column) for r in [*table.rows, TOTAL]]
            candidates = [c for c in line if c not in table.hidden and c not in unusable]
            if not candidates:
                candidates = [c for c in table.cells if c not in table.hidden and c not in unusable]
            if not candidates:
                continue
            extra = min(candidates, key=lambda c: (TOTAL in c, table.value(*c), str(c)))
            table.hidden.add(extra)
            added = True
            for group in groups:
                if extra in group:
                    table.hidden |= {c for c in group if c not in unusable}
        if not added:
            return


def _lines(rows: list[Key], columns: list[Key]) -> list[list[Cell]]:
    """Each row and each column, with its total last: the sets of cells tied by one published equation."""
    return [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]


def round_to(value: int, base: int = 5) -> int:
    """Published counts may be rounded to the nearest 5 as well, where a publisher asks for it."""
    return int(base * round(value / base))
