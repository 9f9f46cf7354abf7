"""`carehub repeats dedupe`: finds planted duplicates, covers every record, explains bad input, and repeats itself."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carehub.repeats.bulk import INPUT_COLUMNS
from carehub.repeats.management.commands.repeats import Command
from tests.repeats.conftest import read_rows, run_dedupe


def _pairs_within(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in itertools.combinations(members, 2)}


def test_finds_the_planted_duplicates(labelled, dedupe_run):
    """Pairwise precision and recall over clusters, against the true person of every record."""
    clusters: dict[str, list[str]] = defaultdict(list)
    for row in read_rows(dedupe_run.out / "clusters.csv"):
        clusters[row["cluster_id"]].append(row["record_id"])
    people: dict[int, list[str]] = defaultdict(list)
    for record_id, person in labelled.person.items():
        people[person].append(record_id)
    found, true = _pairs_within(clusters), _pairs_within(people)
    assert len(true) > 250
    precision, recall = len(found & true) / len(found), len(found & true) / len(true)
    assert precision >= 0.98 and recall >= 0.95, (precision, recall)
    pairs = read_rows(dedupe_run.out / "pairs.csv")
    assert pairs and all(0.9 <= float(p["match_probability"]) <= 1 for p in pairs)
    assert {tuple(sorted((p["record_id_l"], p["record_id_r"]))) for p in pairs} <= found


def test_clusters_cover_every_record_once(labelled, dedupe_run):
    rows = read_rows(dedupe_run.out / "clusters.csv")
    assert [r["record_id"] for r in rows] == list(labelled.person), "every record, once, in input order"
    first = {}
    for r in rows:
        first.setdefault(r["cluster_id"], r["record_id"])
    assert all(cluster == record for cluster, record in first.items()), "named by its first record"


def test_writes_only_the_three_files_and_no_identity(labelled, dedupe_run):
    assert sorted(p.name for p in dedupe_run.out.iterdir()) == ["clusters.csv", "pairs.csv", "rejects.csv"]
    assert read_rows(dedupe_run.out / "rejects.csv") == [], "the synthetic file has no bad values"
    with labelled.csv.open(encoding="utf-8") as handle:
        names = {row["family_name"] for row in csv.DictReader(handle) if len(row["family_name"]) > 3}
    written = (dedupe_run.out / "pairs.csv").read_text() + dedupe_run.model.read_text()
    assert not [n for n in names if n in written]


def test_same_seed_same_output(labelled, dedupe_run, tmp_path):
    run_dedupe(labelled.csv, tmp_path)
    for name in ("pairs.csv", "clusters.csv"):
        assert (tmp_path / name).read_bytes() == (dedupe_run.out / name).read_bytes(), name


def test_a_saved_model_scores_without_training(labelled, dedupe_run, tmp_path):
    run_dedupe(labelled.csv, tmp_path, "--model", str(dedupe_run.model))
    assert (tmp_path / "pairs.csv").read_bytes() == (dedupe_run.out / "pairs.csv").read_bytes()


def _write(path, header, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_a_missing_column_is_named_with_strict(tmp_path):
    source = tmp_path / "in.csv"
    _write(source, [c for c in INPUT_COLUMNS if c != "email"], [["r1", "Zoe", "Smith", "", "", "", ""]])
    with pytest.raises(CommandError, match="column email missing"):
        run_dedupe(source, tmp_path / "out", "--strict")


def test_an_absent_column_is_blank_and_said(tmp_path, capsys):
    source = tmp_path / "in.csv"
    _write(source, [c for c in INPUT_COLUMNS if c != "email"], [["r1", "Zoe", "Smith", "", "", "", ""]])
    call_command(Command(), "dedupe", str(source), "--out", str(tmp_path / "out"))
    assert "Columns absent, blank throughout: email." in capsys.readouterr().out
    assert [r["record_id"] for r in read_rows(tmp_path / "out" / "clusters.csv")] == ["r1"]


@pytest.mark.parametrize("value", ["31/02/1990", "1990-02-30", "yesterday"])
def test_with_strict_an_unreadable_date_names_the_row_and_the_value(tmp_path, value):
    source = tmp_path / "in.csv"
    good = ["r1", "Zoe", "Smith", "1990-02-03", "", "", "", ""]
    _write(source, INPUT_COLUMNS, [good, ["r2", "Ann", "Lee", value, "", "", "", ""]])
    with pytest.raises(CommandError, match=rf"row 2 \(record_id 'r2'\): date_of_birth '{value}' is not a date"):
        run_dedupe(source, tmp_path / "out", "--strict")


def test_with_strict_a_bad_email_stops_the_run(tmp_path):
    source = tmp_path / "in.csv"
    _write(source, INPUT_COLUMNS, [["r1", "Zoe", "Smith", "", "", "", "", "zoe.example.org"]])
    with pytest.raises(CommandError, match=r"row 1 \(record_id 'r1'\): email 'zoe.example.org' is not an email"):
        run_dedupe(source, tmp_path / "out", "--strict")


BAD_VALUES = {  # record_id -> (column, value)
    "b1": ("date_of_birth", "1856-86-18"),
    "b2": ("date_of_birth", "31/02/1990"),
    "b3": ("email", "zoe.smith.example.org"),
    "b4": ("email", "zoe @ example"),
    "b5": ("phone", "07700 9OO123"),
    "b6": ("phone", "ask her sister"),
}


def test_bad_values_are_set_aside_and_the_run_goes_on(labelled, tmp_path, capsys):
    """Bad dates, emails and phones planted among good records: every record is clustered, each bad value is listed
    (record_id, column, reason; never the value), the good records still link, and the summary counts them."""
    with labelled.csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    bad_rows = []
    for record_id, (column, value) in BAD_VALUES.items():
        # A copy of a real record with one bad value: it must still link to her on the other fields.
        twin = dict(rows[int(record_id[1:]) * 7])
        bad_rows.append({**twin, "record_id": record_id, column: value})
    source = tmp_path / "bad.csv"
    _write(source, INPUT_COLUMNS, [[row[c] for c in INPUT_COLUMNS] for row in rows + bad_rows])
    out = tmp_path / "out"
    call_command(Command(), "dedupe", str(source), "--out", str(out))
    rejects = read_rows(out / "rejects.csv")
    assert [(r["record_id"], r["column"]) for r in rejects] == [(k, c) for k, (c, _) in BAD_VALUES.items()]
    assert all(r["reason"] and set(r) == {"record_id", "column", "reason"} for r in rejects)
    written = (out / "rejects.csv").read_text()
    assert not [v for _, v in BAD_VALUES.values() if v in written], "never the value itself"
    clusters = {r["record_id"]: r["cluster_id"] for r in read_rows(out / "clusters.csv")}
    assert len(clusters) == len(rows) + len(bad_rows)
    linked = [k for k in BAD_VALUES if clusters[k] != k]
    assert len(linked) >= 5, linked
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith("6 values set aside as missing (2 date_of_birth, 2 email, 2 phone)"), summary


def test_a_missing_file_and_repeated_ids_are_refused(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_dedupe(tmp_path / "absent.csv", tmp_path / "out")
    source = tmp_path / "in.csv"
    rows = [["r1", "Zoe", "", "", "", "", "", ""], ["r2", "Ann", "", "", "", "", "", ""]]
    _write(source, INPUT_COLUMNS, [*rows, ["r1", "Ann", "", "", "", "", "", ""]])
    with pytest.raises(CommandError, match=r"row 3: record_id 'r1' appears 2 times \(first at row 1\)"):
        run_dedupe(source, tmp_path / "out")


def test_a_file_without_record_id_is_refused(tmp_path):
    source = tmp_path / "in.csv"
    _write(source, INPUT_COLUMNS[1:], [["Zoe", "Smith", "", "", "", "", ""]])
    with pytest.raises(CommandError, match="column record_id missing"):
        run_dedupe(source, tmp_path / "out")


def test_a_file_too_small_to_train_on_uses_the_shipped_model(tmp_path):
    source = tmp_path / "in.csv"
    rows = [
        ["r1", "Zoe", "Smith", "1990-01-02", "SW1A 1AA", "", "", ""],
        ["r2", "ZOE", "Smith", "1990-01-02", "", "", "07700 900123", ""],
        ["r3", "Ann", "Lee", "", "", "", "", ""],
    ]
    _write(source, INPUT_COLUMNS, rows)
    run_dedupe(source, tmp_path / "out")
    assert [(p["record_id_l"], p["record_id_r"]) for p in read_rows(tmp_path / "out" / "pairs.csv")] == [("r1", "r2")]


def test_training_copes_without_dates_of_birth(labelled, tmp_path):
    with labelled.csv.open(encoding="utf-8") as handle:
        rows = [{**row, "date_of_birth": ""} for row in csv.DictReader(handle)]
    source = tmp_path / "no-dates.csv"
    _write(source, INPUT_COLUMNS, [[row[c] for c in INPUT_COLUMNS] for row in rows])
    run_dedupe(source, tmp_path / "out")
    assert len(read_rows(tmp_path / "out" / "clusters.csv")) == len(rows)
    assert len(read_rows(tmp_path / "out" / "pairs.csv")) > 100, "phones, emails and names still link"
