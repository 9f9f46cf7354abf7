"""A published commissioning run from a synthetic extract long enough for a forecast (the test worlds are small)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow.parquet as pq


def publish_synthetic(folder: Path | None = None) -> dict:
    """Written where the page reads it unless `folder` says otherwise."""
    from carehub.commissioning.services import NAME, results_dir
    from carehub.insight.commissioning.run import run
    from carehub.insight.commissioning.settings import ChangePoint, Settings
    from carehub.synthetic.demand import monthly_series, referral_extract

    series = monthly_series(seed=1, base=100.0)
    with tempfile.TemporaryDirectory() as work:
        for name, table in referral_extract(series, seed=2).items():
            pq.write_table(table, Path(work) / f"{name}.parquet")
        settings = Settings(
            change_points=(ChangePoint(series.plants.break_month, "adjust", "planted recording break"),),
            backtest_origins=2,
        )
        return run(Path(work), folder or results_dir() / NAME, settings=settings)
