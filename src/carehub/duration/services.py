"""Publishing the support-duration analysis (issue 16): results kept where the commissioners' page reads them.

The analysis runs on a pseudonymised extract folder holding `episodes.parquet` (by default a fresh `carehub extract`
of the hub's own data, written to a temporary folder and deleted after), exactly as an analyst runs `carehub duration
run`, so what commissioners see is what the report says: aggregates, small groups suppressed, never a person. Only
results.json, results.csv and report.html are kept, swapped in whole by renames.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.core.published import staged, swap_in
from carehub.extract.writer import extract_write

NAME = "hub"


def results_dir() -> Path:
    """Beside the equality results unless a deployment names its own folder."""
    configured = getattr(settings, "DURATION_RESULTS_DIR", None)
    return Path(configured) if configured else Path(settings.EIA_RESULTS_DIR).parent / "duration"


def duration_publish(*, actor=None, data_dir: str | Path | None = None, extract_date=None) -> tuple[dict, Path]:
    """Analyse the extract in `data_dir` (default: extract the hub's data now) and replace the published results;
    returns the document and its folder."""
    from carehub.insight.duration import run  # the statistics stack loads here, not with every page of the app

    root = results_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="carehub-duration-") as work:
        if data_dir is None:
            data_dir = Path(work) / "extract"
            extract_write(out_dir=data_dir, actor=actor)
        document, staging = staged(root, NAME, lambda out: run(data_dir, out, extract_date=extract_date))
    with transaction.atomic():
        swap_in(staging, root / NAME)
        audit.record(
            actor=actor,
            action=Action.CREATE,
            object_type="duration_results",
            object_id=NAME,
            changes={"episodes": document["data"]["episodes"], "extract_date": document["data"]["extract_date"]},
            event=EventType.DURATION_PUBLISHED,
        )
    return document, root / NAME
