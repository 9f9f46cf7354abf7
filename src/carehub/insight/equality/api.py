"""`run`: the one call behind `carehub eia run` and anything else that wants the three files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import ibis

from .engine import Assessment, assess
from .outputs import write_outputs
from .spec import Spec, load_spec


def run(
    spec: Spec | str | Path,
    data_overrides: Mapping[str, str] | None = None,
    backend: str = "duckdb",
    out_dir: str | Path = "eia-out",
    *,
    con: ibis.BaseBackend | None = None,
    progress: Callable[[str], None] | None = None,
) -> Assessment:
    """Assess `spec` (a Spec or a TOML path) and write results.json, results.csv and report.html to `out_dir`.

    `progress`, if given, is called with each step's description as it starts.
    """
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    assessment = assess(spec, data_overrides, backend=backend, con=con, progress=progress)
    if progress:
        progress("Writing results.json, results.csv and report.html")
    write_outputs(assessment, out_dir)
    return assessment
