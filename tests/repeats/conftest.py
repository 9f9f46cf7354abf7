"""Shared fixtures: a small labelled synthetic file, and one run of `repeats dedupe` over it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from carehub.repeats.management.commands.repeats import Command
from carehub.synthetic.linkage_records import write_csv

RECORDS = 1500
SEED = 7


@dataclass(frozen=True)
class Labelled:
    csv: Path
    person: dict[str, int]  # record_id -> the true person


@dataclass(frozen=True)
class Run:
    out: Path
    model: Path


def run_dedupe(source: Path, out: Path, *args: str) -> None:
    """`carehub repeats dedupe`, through the command itself (the app need not be installed to test it)."""
    call_command(Command(), "dedupe", str(source), "--out", str(out), *args, verbosity=0)


@pytest.fixture(scope="session")
def labelled(tmp_path_factory) -> Labelled:
    folder = tmp_path_factory.mktemp("labelled")
    source, labels = folder / "input.csv", folder / "labels.csv"
    write_csv(source, RECORDS, seed=SEED, labels=labels)
    with labels.open(encoding="utf-8") as handle:
        person = {row["record_id"]: int(row["person_id"]) for row in csv.DictReader(handle)}
    return Labelled(source, person)


@pytest.fixture(scope="session")
def dedupe_run(labelled, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("dedupe")
    model = out.parent / f"{out.name}-model.json"
    run_dedupe(labelled.csv, out, "--save-model", str(model))
    return Run(out, model)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
