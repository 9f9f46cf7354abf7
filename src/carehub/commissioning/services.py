"""Publishing the commissioning evidence: a fresh extract, a run of insight.commissioning, the results kept where the
commissioners' page reads them (as equality.services does for the equality impact assessment).

The extract is written to a temporary folder and deleted afterwards; only results.json, results.csv, report.html and
the count tables under views/ (filters and each service's own; counts, never rows) are kept, swapped in by renames so
a reader never sees half of them. Sealed records never reach the run: the
extract leaves them out without --sealed-pathway.
"""

from __future__ import annotations

import hashlib
import hmac
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from carehub.core.published import staged, swap_in
from carehub.extract.writer import extract_write

NAME = "hub"


def results_dir() -> Path:
    configured = getattr(settings, "COMMISSIONING_RESULTS_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "commissioning"


def run_settings():
    """The library's Settings with the site's COMMISSIONING_SETTINGS over them (norms given as dicts)."""
    import dataclasses

    from carehub.insight.commissioning.settings import PlanningNorm, Settings

    overrides = dict(getattr(settings, "COMMISSIONING_SETTINGS", {}) or {})
    if "norms" in overrides:
        overrides["norms"] = tuple(PlanningNorm(**norm) for norm in overrides["norms"])
    # The record keys' hash key: derived from the site's pseudonymising secret, never printed, the same on every
    # run so the same women get the same published numbers from one publication to the next.
    secret = hmac.new(settings.HASH_KEY.encode(), b"commissioning:record-keys", hashlib.sha256).hexdigest()
    return dataclasses.replace(Settings(), record_key_secret=secret, **overrides)


def evidence_publish(*, actor=None, progress: Callable[[str], None] | None = None) -> tuple[dict, Path]:
    """Extract, run and replace the published evidence; returns the results and their folder."""
    step = progress or (lambda _: None)
    from carehub.insight.commissioning.run import run  # the statistics stack loads here, not with every page

    root = results_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="carehub-commissioning-") as work:
        data = Path(work) / "extract"
        step("Writing the pseudonymised extract")
        extract_write(out_dir=data, actor=actor)
        results, staging = staged(root, NAME, lambda out: run(data, out, settings=run_settings(), progress=progress))
    step("Publishing")
    swap_in(staging, root / NAME)
    return results, root / NAME
