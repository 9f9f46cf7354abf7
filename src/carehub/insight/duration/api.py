"""`run`: the one call behind `carehub duration run` and the publish step."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis

from carehub.insight.equality.backends import connect

from .analysis import analyse
from .data import load
from .outputs import write_outputs
from .spec import Spec, load_spec


def run(
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    spec: Spec | str | Path | None = None,
    backend: str = "duckdb",
    extract_date: dt.date | None = None,
    con: ibis.BaseBackend | None = None,
) -> dict:
    """Analyse episodes.parquet and referrals.parquet in `data_dir`; write the three files to `out_dir`."""
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    con = con or connect(backend)
    episodes = load(con, data_dir, spec, extract_date=extract_date)
    document = analyse(episodes, spec)
    document["data"]["backend"] = con.name
    write_outputs(document, out_dir)
    return document
