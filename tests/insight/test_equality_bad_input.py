"""Bad input gives a clear EIAError naming the problem, never a silent wrong number."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carehub.insight.equality import (
    CategoryError,
    DataFileError,
    DenominatorError,
    MissingColumnError,
    SpecError,
    assess,
    load_spec,
)
from carehub.insight.equality.data import parse_overrides

SPEC = """
title = "Test"
aim = "Test the errors."
[period]
start = "2024-01-01"
end = "2024-12-31"
[datasets.events]
path = "events.csv"
[datasets.people]
path = "people.csv"
[[characteristics]]
name = "group"
column = "{column}"
reference = "{reference}"
categories = ["White", "Black", "Asian"]
unknown = ["Not stated"]
[[populations]]
name = "census"
dataset = "people"
characteristic = "group"
group_column = "group"
population_column = "population"
{not_covered}
[[metrics]]
name = "rate"
kind = "rate"
dataset = "events"
higher_is = "worse"
[[metrics]]
name = "found"
kind = "proportion"
dataset = "events"
numerator = [{{ column = "outcome", in = ["Arrest"] }}]
higher_is = "better"
"""
EVENTS = "group,outcome\n" + "White,Arrest\n" * 30 + "White,None\n" * 40 + "Black,Arrest\n" * 20 + "Black,None\n" * 50
EVENTS += "Asian,Arrest\n" * 15 + "Asian,None\n" * 25 + "Not stated,Arrest\n" * 11 + "Not stated,None\n" * 12
PEOPLE = "group,population\nWhite,5000\nBlack,1300\nAsian,1800\n"


def write(tmp_path: Path, *, column="group", reference="White", events=EVENTS, people=PEOPLE, not_covered=""):
    (tmp_path / "spec.toml").write_text(
        SPEC.format(column=column, reference=reference, not_covered=not_covered), encoding="utf-8"
    )
    (tmp_path / "events.csv").write_text(events, encoding="utf-8")
    (tmp_path / "people.csv").write_text(people, encoding="utf-8")
    return load_spec(tmp_path / "spec.toml")


def test_the_well_formed_case_runs(tmp_path):
    assessment = assess(write(tmp_path))
    black = next(r for r in assessment.results if r["metric"] == "rate" and r["group"] == "Black")
    assert black["count"] == 70 and black["finding"] == "adverse"
    assert black["ratio"] == pytest.approx((70 / 1300) / (70 / 5000))


def test_a_missing_column_is_named_with_a_suggestion(tmp_path):
    spec = write(tmp_path, column="gruop")
    with pytest.raises(MissingColumnError, match=r"no column 'gruop'.*Did you mean 'group'"):
        assess(spec)


def test_a_reference_that_is_not_a_category_is_caught_before_reading_data(tmp_path):
    with pytest.raises(SpecError, match=r"reference group 'Whte' is not one of its categories.*'White'"):
        write(tmp_path, reference="Whte")


def test_a_value_the_specification_does_not_place_is_named(tmp_path):
    spec = write(tmp_path, events=EVENTS + "Mixed,None\n" * 3)
    with pytest.raises(CategoryError, match=r"'Mixed' \(3 rows\)"):
        assess(spec)


def test_a_reference_group_without_rows_is_an_error(tmp_path):
    events = "\n".join(line for line in EVENTS.splitlines() if not line.startswith("White")) + "\n"
    with pytest.raises(CategoryError, match=r"reference group 'White' .* has no rows"):
        assess(write(tmp_path, events=events))


def test_a_denominator_that_does_not_cover_a_group_is_named(tmp_path):
    spec = write(tmp_path, people="group,population\nWhite,5000\nBlack,1300\n")
    with pytest.raises(DenominatorError, match=r"no figure for group 'Asian'.*40 rows"):
        assess(spec)


def test_a_group_stated_as_not_covered_is_reported_without_a_rate(tmp_path):
    spec = write(tmp_path, people="group,population\nWhite,5000\nBlack,1300\n", not_covered='not_covered = ["Asian"]')
    asian = next(r for r in assess(spec).results if r["metric"] == "rate" and r["group"] == "Asian")
    assert asian["value"] is None and asian["ratio"] is None
    assert asian["finding"] == "not_compared" and "no population figure" in asian["statement"]


def test_a_zero_population_is_an_error(tmp_path):
    spec = write(tmp_path, people="group,population\nWhite,5000\nBlack,0\nAsian,1800\n")
    with pytest.raises(DenominatorError, match="positive population"):
        assess(spec)


def test_zero_counts_are_too_few_to_say_never_a_pseudocount(tmp_path):
    assessment = assess(write(tmp_path, events=EVENTS.replace("Asian,Arrest", "Asian,None")))
    asian = next(r for r in assessment.results if r["metric"] == "found" and r["group"] == "Asian")
    assert asian["finding"] == "too_few" and asian["count"] is None and asian["ratio"] is None
    # the hidden zero could be worked out from the published total, so another group is hidden with it
    assert sum(r["suppressed"] for r in assessment.results if r["metric"] == "found" and r["scope"] == "group") >= 2


def test_a_numerator_nobody_meets_is_a_warning(tmp_path):
    assessment = assess(write(tmp_path, events=EVENTS.replace("Arrest", "Caution")))
    assert any("no row meets its numerator" in w for w in assessment.warnings)


def test_a_csv_named_parquet_is_refused(tmp_path):
    spec = write(tmp_path)
    fake = tmp_path / "events.parquet"
    fake.write_text(EVENTS, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"named or declared as PARQUET but its contents are CSV"):
        assess(spec, {"events": str(fake)})


def test_parquet_named_csv_is_refused(tmp_path):
    spec = write(tmp_path)
    fake = tmp_path / "events2.csv"
    pq.write_table(pa.table({"group": ["White"], "outcome": ["Arrest"]}), fake)
    with pytest.raises(DataFileError, match=r"CSV but its contents are PARQUET"):
        assess(spec, {"events": str(fake)})


def test_an_empty_or_zip_file_is_refused(tmp_path):
    spec = write(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataFileError, match="is empty"):
        assess(spec, {"events": str(empty)})
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(DataFileError, match="ZIP archive"):
        assess(spec, {"events": str(workbook)})


def test_files_of_one_data_set_must_share_a_header(tmp_path):
    spec = write(tmp_path)
    folder = tmp_path / "months"
    folder.mkdir()
    (folder / "a.csv").write_text(EVENTS, encoding="utf-8")
    (folder / "b.csv").write_text("outcome,group\nArrest,White\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="same columns"):
        assess(spec, {"events": str(folder)})


def test_a_missing_file_is_named(tmp_path):
    spec = write(tmp_path)
    with pytest.raises(DataFileError, match="nothing found at"):
        assess(spec, {"events": str(tmp_path / "nope-*.csv")})


def test_an_unknown_key_in_the_specification_is_named(tmp_path):
    (tmp_path / "bad.toml").write_text(
        textwrap.dedent(SPEC.format(column="group", reference="White", not_covered="")).replace(
            'higher_is = "worse"', 'higher_is = "worse"\nrefrence = "White"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(SpecError, match=r"unknown key 'refrence'"):
        load_spec(tmp_path / "bad.toml")


def test_data_for_a_data_set_the_specification_does_not_name(tmp_path):
    spec = write(tmp_path)
    with pytest.raises(SpecError, match=r"no data set called 'evnts'"):
        assess(spec, parse_overrides(["evnts=x.csv"]))


def test_an_override_without_equals_is_explained():
    with pytest.raises(SpecError, match="NAME=PATH"):
        parse_overrides(["events.csv"])


def test_not_toml_is_a_spec_error(tmp_path):
    (tmp_path / "x.toml").write_text("title = [unclosed", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(tmp_path / "x.toml")
