"""Publishing the hub's equality impact assessment: a fresh extract, the shipped hub specification, the results kept
where the commissioners' pages read them.

The assessment runs on the pseudonymised extract, exactly as an analyst would run it by hand (`carehub extract`, then
`carehub eia run`), so what commissioners see in the app is what the report says: aggregates with small numbers
suppressed by the engine, never a person. The extract is written to a temporary folder and deleted afterwards; only
results.json, results.csv and report.html are kept.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from carehub.core.published import staged, swap_in
from carehub.extract.writer import extract_write

if TYPE_CHECKING:
    from carehub.insight.equality.engine import Assessment

SPECS = Path(__file__).resolve().parent.parent / "insight" / "specs"
HUB = "hub"


def results_dir() -> Path:
    return Path(settings.EIA_RESULTS_DIR)


def assessment_publish(*, actor=None, progress: Callable[[str], None] | None = None) -> tuple[Assessment, Path]:
    """Extract, assess with hub.toml and replace the published hub assessment; returns it and its folder.

    The new results are written beside the old and swapped in by renames, so a reader never sees half of them.
    `progress`, if given, is told of each step as it starts.
    """
    step = progress or (lambda _: None)
    from carehub.insight.equality import run  # the statistics stack loads here, not with every page of the app

    root = results_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="carehub-eia-") as work:
        data = Path(work) / "extract"
        step("Writing the pseudonymised extract")
        extract_write(out_dir=data, actor=actor)
        inputs = {"referrals": str(data / "referrals.parquet"), "immigration": str(data / "immigration.parquet")}
        assessment, staging = staged(
            root, HUB, lambda out: run(SPECS / "hub.toml", inputs, out_dir=out, progress=progress)
        )
    step("Publishing")
    swap_in(staging, root / HUB)
    return assessment, root / HUB
