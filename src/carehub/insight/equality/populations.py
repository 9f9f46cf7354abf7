"""Population denominators: census-style tables turned into {(area, group): people}, checked against the data.

A population is read once (it is small), summed by group and area in the backend, and its group values are read
through the characteristic's own map, so a census table keyed by police codes or by ONS labels both work. A group
the data hold but the population lacks is an error unless the specification lists it under `not_covered`: a rate
with a missing denominator must be visibly absent, never computed against the wrong people.
"""

from __future__ import annotations

from collections import defaultdict

import ibis

from .errors import DenominatorError, MissingColumnError
from .spec import UNKNOWN, Characteristic, Population

ALL_AREAS = None


def population_counts(table: ibis.Table, population: Population, characteristic: Characteristic) -> dict:
    """{(area or None, category code): population}; the None area holds the sum over kept areas."""
    columns = [population.area_column] if population.area_column else []
    if population.columns:
        needed = [c for cols in population.columns.values() for c in cols]
    else:
        needed = [population.group_column, population.population_column]
    for column in [*columns, *needed]:
        if column not in table.columns:
            raise MissingColumnError(
                f"Population {population.name!r}: data set {population.dataset!r} has no column {column!r}."
            )
    _check_numbers(
        table, population, [*dict.fromkeys(needed)] if population.columns else [population.population_column]
    )
    if population.columns:
        sums = {c: _people(table[c]).sum() for c in dict.fromkeys(needed)}
        frame = (table.group_by(columns).aggregate(**sums) if columns else table.aggregate(**sums)).execute()
        rows = []
        for record in frame.to_dict("records"):
            area = str(record[population.area_column]) if population.area_column else None
            for code, cols in population.columns.items():
                rows.append((area, code, sum(float(record[c]) for c in cols)))
    else:
        grouped = table.group_by([*columns, population.group_column]).aggregate(
            people=_people(table[population.population_column]).sum()
        )
        frame = grouped.execute()
        rows = []
        for record in frame.to_dict("records"):
            area = str(record[population.area_column]) if population.area_column else None
            rows.append((area, _code(record[population.group_column], population, characteristic), record["people"]))
    counts: dict = defaultdict(float)
    for area, code, people in rows:
        if area is not None and area in population.exclude_areas:
            continue
        if code == UNKNOWN:
            continue
        counts[(area, code)] += people
        counts[(ALL_AREAS, code)] += people if area is not None else 0.0
    return dict(counts)


def _people(column: ibis.Value) -> ibis.Value:
    """A population figure as a number: text as published (GOV.UK downloads write "1,234"), separators removed."""
    if column.type().is_numeric():
        return column.cast("float64")
    return column.cast("string").replace(",", "").strip().try_cast("float64")


def _check_numbers(table: ibis.Table, population: Population, columns: list[str]) -> None:
    """Every population cell must be a number: a blank or a word is named, never summed as nothing.

    One query counts the bad cells of every column; only a column that has some is looked at again, to name them.
    """

    def bad_cell(raw: ibis.Value) -> ibis.ir.BooleanValue:
        if raw.type().is_numeric():
            return raw.isnull()
        return raw.isnull() | (raw.cast("string").strip() == "") | _people(raw).isnull()

    counts = table.aggregate(**{f"c{i}": bad_cell(table[c]).sum() for i, c in enumerate(columns)}).execute()
    for i, column in enumerate(columns):
        if not int(counts[f"c{i}"].iloc[0] or 0):
            continue
        raw = table[column]
        bad = table.filter(bad_cell(raw))
        labels = [c for c in (population.area_column, population.group_column) if c and c != column]
        rows = bad.select(*labels, value=raw.cast("string")).limit(3).execute()
        if len(rows):
            where = "; ".join(
                ", ".join(f"{c} {record[c]!r}" for c in labels) or f"row {i + 1}"
                for i, record in enumerate(rows.to_dict("records"))
            )
            values = sorted({("blank" if v is None or not str(v).strip() else repr(v)) for v in rows["value"]})
            raise DenominatorError(
                f"Population {population.name!r}: column {column!r} must hold a number of people in every row, but "
                f"holds {', '.join(values)} ({where}). Fill in the figure (or drop the row) and run again."
            )


def _code(value: object, population: Population, characteristic: Characteristic) -> str:
    text = "" if value is None else str(value)
    if characteristic.mapping and text in characteristic.mapping:
        return characteristic.mapping[text]
    if not characteristic.codes or text in characteristic.codes:
        return text
    raise DenominatorError(
        f"Population {population.name!r} has a group {text!r} that is not a category of {characteristic.name!r} "
        f"({', '.join(characteristic.codes)}) and is not in its map."
    )


def check_coverage(
    population: Population, counts: dict, characteristic: Characteristic, observed: dict[str, int]
) -> None:
    """Every group with rows in the data needs a positive population, unless listed under `not_covered`."""
    for code, rows in observed.items():
        if code == UNKNOWN or code in population.not_covered or rows == 0:
            continue
        people = counts.get((ALL_AREAS, code))
        if people is None:
            label = characteristic.label_of(code)
            named = f"{code!r}" if label == code else f"{code!r} ({label})"
            raise DenominatorError(
                f"Population {population.name!r} has no figure for group {named} of {characteristic.name!r}, "
                f"which has {rows:,} rows in the data. Add it to the "
                f"population table, or list it under not_covered to report it without a rate."
            )
        if people <= 0:
            raise DenominatorError(
                f"Population {population.name!r} gives {people:g} people for group {code!r} of "
                f"{characteristic.name!r}, which has {rows:,} rows in the data: a rate needs a positive population."
            )


def check_area_coverage(population: Population, counts: dict, areas: dict[str, int]) -> None:
    """Per-area rates need each area of the data in the population table."""
    known = {area for area, _ in counts if area is not None}
    for area, rows in areas.items():
        if area not in known and area not in population.exclude_areas and rows:
            raise DenominatorError(
                f"Population {population.name!r} has no area {area!r}, which has {rows:,} rows in the data."
            )
