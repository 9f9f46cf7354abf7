"""Suppression: no hidden cell can be pinned down from what is published, checked by linear programming."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from carehub.insight.suppression import TOTAL, suppress


def feasible_range(table, cell) -> tuple[float, float]:
    """Min and max a hidden cell can take, given every published cell and total, counts being non-negative."""
    hidden_inner = [c for c in table.hidden if TOTAL not in c]
    index = {c: i for i, c in enumerate(hidden_inner)}
    equalities, rhs = [], []
    lines = [[(r, c) for c in table.columns] + [(r, TOTAL)] for r in [*table.rows, TOTAL]]
    lines += [[(r, c) for r in table.rows] + [(TOTAL, c)] for c in [*table.columns, TOTAL]]
    for line in lines:
        *cells, total_cell = line
        if total_cell in table.hidden:
            continue
        row = [0.0] * len(hidden_inner)
        known = 0
        for c in cells:
            if c in table.hidden and TOTAL not in c:
                row[index[c]] += 1
            elif c in table.hidden:
                break  # a hidden subtotal in a line: that equation is not published in full
            else:
                known += table.value(*c)
        else:
            equalities.append(row)
            rhs.append(table.value(*total_cell) - known)
    if cell not in index:  # a hidden total: range from its hidden parts
        return (0.0, float("inf"))
    objective = [0.0] * len(hidden_inner)
    objective[index[cell]] = 1.0
    bounds = [(0, None)] * len(hidden_inner)
    low = linprog(objective, A_eq=equalities or None, b_eq=rhs or None, bounds=bounds)
    high = linprog([-x for x in objective], A_eq=equalities or None, b_eq=rhs or None, bounds=bounds)
    assert low.status in {0, 3} and high.status in {0, 3}, "the published figures are inconsistent"
    return (low.fun if low.status == 0 else 0.0), (-high.fun if high.status == 0 else float("inf"))


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column():
    counts = {("a", "q1"): 3, ("a", "q2"): 40, ("b", "q1"): 20, ("b", "q2"): 30}
    table = suppress(["a", "b"], ["q1", "q2"], counts)
    assert ("a", "q1") in table.hidden
    assert len([c for c in table.hidden if c[0] == "a"]) >= 2
    assert len([c for c in table.hidden if c[1] == "q1"]) >= 2
    low, high = feasible_range(table, ("a", "q1"))
    assert high - low >= 1


def test_nothing_is_hidden_when_every_count_is_large():
    counts = {(r, c): 50 for r in "ab" for c in ("q1", "q2")}
    assert suppress(["a", "b"], ["q1", "q2"], counts).hidden == set()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda rows: st.integers(2, 5).flatmap(
            lambda cols: st.tuples(
                st.just(rows), st.just(cols), st.lists(st.integers(0, 40), min_size=rows * cols, max_size=rows * cols)
            )
        )
    )
)
def test_no_hidden_cell_can_be_worked_out(spec):
    n_rows, n_cols, values = spec
    rows, columns = [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)]
    counts = {(r, c): values[i * n_cols + j] for i, r in enumerate(rows) for j, c in enumerate(columns)}
    table = suppress(rows, columns, counts, threshold=5)
    for r in [*rows, TOTAL]:
        for c in [*columns, TOTAL]:
            if table.value(r, c) < 5:
                assert (r, c) in table.hidden
    for cell in table.hidden:
        if TOTAL in cell:
            continue
        low, high = feasible_range(table, cell)
        assert high - low > 0.5, f"{cell} is pinned to {low}"
