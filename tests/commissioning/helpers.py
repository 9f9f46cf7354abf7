"""A published commissioning run from a synthetic extract long enough for a forecast (the test worlds are small)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq


def publish_synthetic(
    folder: Path | None = None, services: dict[str, float] | None = None, *, directory: bool = False
) -> dict:
    """Written where the page reads it unless `folder` says otherwise. With `services` (an extract's service key:
    the share of referrals routed to it, and of offers made by it), the extract's referrals and offers carry a
    service_key column, so each service's own counts (its declines too) are published for its managers' pages.
    With `directory`, the extract's services.parquet is the database's directory as `carehub extract` writes it
    (its caseworker FTE), so the capacity figures start from today's FTE; without, the extract has none (an older
    extract's shape)."""
    from carehub.commissioning.services import NAME, results_dir
    from carehub.insight.commissioning.run import run
    from carehub.insight.commissioning.settings import ChangePoint, Settings
    from carehub.synthetic.demand import monthly_series, referral_extract

    series = monthly_series(seed=1, base=100.0)
    with tempfile.TemporaryDirectory() as work:
        tables = referral_extract(series, seed=2)
        if services:
            referrals = tables["referrals"]
            shares = np.array(list(services.values()), float)
            chosen = np.random.default_rng(3).choice(len(services), referrals.num_rows, p=shares / shares.sum())
            tables["referrals"] = referrals.append_column("service_key", pa.array(np.array(list(services))[chosen]))
            offers = tables["offers"]  # the service that made each offer, keyed as the extract keys it
            made = np.random.default_rng(4).choice(len(services), offers.num_rows, p=shares / shares.sum())
            tables["offers"] = offers.append_column("service_key", pa.array(np.array(list(services))[made]))
        for name, table in tables.items():
            pq.write_table(table, Path(work) / f"{name}.parquet")
        if directory:
            from carehub.extract.writer import _write_services

            _write_services(Path(work) / "services.parquet", sealed=False)
        settings = Settings(
            change_points=(ChangePoint(series.plants.break_month, "adjust", "planted recording break"),),
            backtest_origins=2,
        )
        return run(Path(work), folder or results_dir() / NAME, settings=settings)
