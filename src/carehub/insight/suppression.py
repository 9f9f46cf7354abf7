"""Small-number suppression for published tables, primary and secondary.

Primary: a cell under the threshold is hidden. Secondary: a hidden cell must never be recoverable by subtraction
from a published total, so every row and column that contains a hidden cell must contain at least two, counting
its total as a cell of the line (a hidden total needs another hidden cell too). Complements are chosen smallest
first, which hides the least information. The result is checked in the tests by linear programming: every hidden
cell can take a range of values consistent with everything published.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

Key = Hashable


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
    rows: Sequence[Key], columns: Sequence[Key], counts: dict[tuple[Key, Key], int], *, threshold: int = 5
) -> Table:
    """Hide every count under `threshold` (totals included), then enough others that none can be worked out."""
    table = Table(list(rows), list(columns), dict(counts))
    all_rows = [*table.rows, TOTAL]
    all_columns = [*table.columns, TOTAL]
    for r in all_rows:
        for c in all_columns:
            if table.value(r, c) < threshold:
                table.hidden.add((r, c))
    changed = True
    while changed:
        changed = False
        for line in _lines(all_rows, all_columns):
            hidden_in_line = [cell for cell in line if cell in table.hidden]
            if len(hidden_in_line) == 1:
                candidates = [cell for cell in line if cell not in table.hidden]
                if candidates:
                    table.hidden.add(min(candidates, key=lambda cell: (table.value(*cell), str(cell))))
                    changed = True
    return table


def _lines(rows: list[Key], columns: list[Key]) -> list[list[tuple[Key, Key]]]:
    """Each row and each column, with its total: the sets of cells tied by one published equation."""
    return [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]


def round_to(value: int, base: int = 5) -> int:
    """Published counts may be rounded to the nearest 5 as well, where a publisher asks for it."""
    return int(base * round(value / base))
