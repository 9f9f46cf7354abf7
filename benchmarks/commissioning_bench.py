"""The whole commissioning run (demand, forecast and surge flags, Kaplan-Meier waits, unmet need, capacity) over a
synthetic extract, against its floor: the one GROUP BY query that reads the same columns.

    .venv/bin/python benchmarks/commissioning_bench.py generate --rows 10000000 --data $CAREHUB_VAR_DIR/comm10m
    .venv/bin/python benchmarks/commissioning_bench.py run --data $CAREHUB_VAR_DIR/comm10m [--backend pyspark|both]

`generate` writes referrals.parquet and offers.parquet (synthetic.demand, seeded: nine years of
months with the planted patterns, scaled to --rows) and services.parquet (a directory with caseworker FTE per
service, so the run measures capacity per service type against today's FTE, as a real extract's does).
`run` times the floor, then the run step by step (each step's
seconds from the progress callback), and prints the load average beside the figures: the machine is shared.
`--backend both` runs DuckDB then PySpark over the same extract and checks that results.json holds the same figures
(everything but the time it was made and the backend's name), and the filters' count tables the same rows.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pyarrow.parquet as pq

FLOOR = """
SELECT year(received_at) * 100 + month(received_at) AS month, borough, channel, need, risk_level,
    count(*) AS n, min(survivor_key) AS k, sum(days_to_offer) AS a, sum(days_to_acceptance) AS b,
    sum(days_to_first_contact) AS c, sum(days_to_allocation) AS d, sum(days_observed) AS e,
    sum(support_weeks) AS f, sum(wants_by_and_for::INT) AS g, sum(offered_by_and_for::INT) AS h
FROM read_parquet('{path}') GROUP BY ALL
"""


def generate(rows: int, data: Path) -> None:
    from carehub.synthetic.demand import monthly_series, referral_extract

    probe = int(monthly_series(seed=1, base=1000.0).counts.sum())
    series = monthly_series(seed=1, base=1000.0 * rows / probe)
    data.mkdir(parents=True, exist_ok=True)
    tables = referral_extract(series, seed=2)
    tables["services"] = services(tables["referrals"])
    for name, table in tables.items():
        pq.write_table(table, data / f"{name}.parquet", row_group_size=1_000_000)
        print(f"{name}: {table.num_rows:,} rows")


def services(referrals, per_type: int = 8, seed: int = 3):
    """A directory for the synthetic extract, so the run takes the capacity path per service type (today's FTE
    against what the target needs), as a real extract's does: `per_type` services per need, their caseworker FTE
    summing to about 90% of what the last year's referrals keep busy (demand x mean support days / caseload: short,
    so there is a gap to find), in tenths, and one service in eight with none recorded, as the demo's directory."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from carehub.insight.commissioning.settings import Settings

    frame = referrals.select(["received_at", "need", "support_weeks"]).to_pandas()
    recent = frame[frame.received_at > frame.received_at.max() - pd.Timedelta(days=365)]
    rng = np.random.default_rng(seed)
    rows = {"service_key": [], "service_type": [], "caseworker_fte": [], "capacity": [], "accepting_referrals": []}
    for need, group in sorted(recent.groupby("need")):
        days = float(frame.support_weeks[frame.need == need].mean() * 7)
        busy = len(group) / 365 * days / Settings().caseload_per_fte
        weights = rng.dirichlet(np.ones(per_type))
        for i, weight in enumerate(weights):
            recorded = rng.random() >= 1 / 8
            fte = max(0.1, round(0.9 * busy * weight, 1))
            rows["service_key"].append(f"{need}-{i}")
            rows["service_type"].append(need)
            rows["caseworker_fte"].append(fte if recorded else None)
            rows["capacity"].append(round(fte * Settings().caseload_per_fte))
            rows["accepting_referrals"].append(True)
    # The extract writer's SERVICE_SCHEMA (not imported: the writer needs Django's settings)
    types = {"caseworker_fte": pa.float64(), "capacity": pa.int64(), "accepting_referrals": pa.bool_()}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in rows.items()})


def floor(data: Path) -> float:
    import duckdb

    started = time.perf_counter()
    duckdb.sql(FLOOR.format(path=data / "referrals.parquet")).fetchall()
    return time.perf_counter() - started


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def run(data: Path, backend: str, out: Path | None = None) -> float:
    from carehub.insight.commissioning.run import run as commissioning_run
    from carehub.insight.commissioning.settings import ChangePoint, Settings
    from carehub.insight.equality.backends import connect

    rows = pq.ParquetFile(data / "referrals.parquet").metadata.num_rows
    print(f"{rows:,} referrals, backend {backend}, load average {_load()}")
    if backend == "duckdb":
        print(f"floor (one GROUP BY over the same columns): {floor(data):.1f}s, load average {_load()}")
    con = connect(backend)
    marks: list[tuple[str, float]] = []
    settings = Settings(change_points=(ChangePoint("2022-10", "adjust", "the generator's recording break"),))
    started = time.perf_counter()
    commissioning_run(data, out, backend=backend, con=con, settings=settings,
                      progress=lambda step: marks.append((step, time.perf_counter())))  # fmt: skip
    total = time.perf_counter() - started
    for (step, at), (_, after) in zip(marks, [*marks[1:], ("end", started + total)], strict=True):
        print(f"  {after - at:6.1f}s  {step}")
    print(f"whole run on {backend}: {total:.1f}s, load average {_load()}")
    if backend == "duckdb":
        print(f"floor again after the run: {floor(data):.1f}s, load average {_load()}")
    return total


def same_results(left: Path, right: Path) -> list[str]:
    """Where two runs' outputs differ: results.json's figures (not its time or backend) and the count tables."""
    import pandas as pd

    documents = [json.loads((folder / "results.json").read_text()) for folder in (left, right)]
    for document in documents:
        document.pop("generated_at"), document.pop("backend")
    differ = [] if documents[0] == documents[1] else ["results.json"]
    for path in sorted((left / "views").glob("*.parquet")):
        frames = [pd.read_parquet(folder / "views" / path.name) for folder in (left, right)]
        order = sorted(frames[0].columns)
        frames = [f[order].sort_values(order, kind="stable").reset_index(drop=True) for f in frames]
        try:
            pd.testing.assert_frame_equal(*frames, check_dtype=False)
        except AssertionError:
            differ.append(path.name)
    return differ


def both(data: Path) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        outs = {backend: Path(scratch) / backend for backend in ("duckdb", "pyspark")}
        for backend, out in outs.items():
            run(data, backend, out)
        differ = same_results(outs["duckdb"], outs["pyspark"])
        print("identical results on DuckDB and PySpark" if not differ else f"DIFFERENT: {', '.join(differ)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("generate", "run"))
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--backend", choices=("duckdb", "pyspark", "both"), default="duckdb")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.rows, args.data)
    elif args.backend == "both":
        both(args.data)
    else:
        run(args.data, args.backend)


if __name__ == "__main__":
    main()
