"""The cost of cell-key perturbation (insight.commissioning.protect) in a commissioning run, beside the same queries
without it. The machine is shared, so each pair runs interleaved three times and the fastest of each is kept.

    .venv/bin/python benchmarks/commissioning_bench.py generate --rows 1000000 --data $CAREHUB_VAR_DIR/comm1m
    .venv/bin/python benchmarks/protect_bench.py --data $CAREHUB_VAR_DIR/comm1m

Measures: the monthly demand GROUP BY plain, with cell keys, and with the person keys of unique people (a second
GROUP BY over distinct women); the filtered views' demand count table plain and with cell keys; publishing every
count of a run (the ptable look-ups, in Python); and the keyed hash the reading step pays when an extract carries no
record keys (per million keys).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))  # the plain per-measure queries live with the tests, as the cube's oracles
    import pyarrow.parquet as pq

    from carehub.insight.commissioning import protect, queries
    from carehub.insight.commissioning.settings import Settings
    from tests.insight import commissioning_oracles as oracles

    tables = queries.open_extract(args.data)
    referrals = tables["referrals"]
    month = oracles.month(referrals).name("month")
    cols = [referrals.borough, referrals.need]

    def plain_monthly():
        referrals.group_by(month).aggregate(n=referrals.count(), people=referrals.survivor_key.nunique()).to_pandas()

    def keyed_monthly():
        referrals.group_by(month).aggregate(
            n=referrals.count(), people=referrals.survivor_key.nunique(), ckey=queries._ckey(referrals)
        ).to_pandas()

    def plain_cube():
        referrals.group_by([month, *cols]).aggregate(n=referrals.count()).to_pandas()

    def keyed_cube():
        referrals.group_by([month, *cols]).aggregate(n=referrals.count(), ckey=queries._ckey(referrals)).to_pandas()

    pairs = {
        "monthly demand + people": (plain_monthly, keyed_monthly, lambda: oracles.monthly_demand(referrals)),
        "views' demand cube (month x borough x need)": (plain_cube, keyed_cube, None),
    }
    print(f"{pq.ParquetFile(args.data / 'referrals.parquet').metadata.num_rows:,} referrals")
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    for name, (plain, keyed, full) in pairs.items():
        best = {"plain": [], "ckey": [], "ckey+pkey": []}
        for _ in range(3):
            for label, fn in (("plain", plain), ("ckey", keyed), ("ckey+pkey", full)):
                if fn is None:
                    continue
                started = time.perf_counter()
                fn()
                best[label].append(time.perf_counter() - started)
        said = ", ".join(f"{k} {min(v):.2f}s" for k, v in best.items() if v)
        print(f"{name}: {said}")
    settings = Settings()
    cube = referrals.group_by([month, *cols]).aggregate(n=referrals.count(), ckey=queries._ckey(referrals)).to_pandas()
    started = time.perf_counter()
    protect.publish_all(cube.n.to_numpy(), cube.ckey.to_numpy(), settings)
    print(f"publishing {len(cube):,} counts (ptable look-ups): {time.perf_counter() - started:.3f}s")
    keys = [f"{i:020x}" for i in range(1_000_000)]
    started = time.perf_counter()
    protect.record_keys(keys, "secret")
    print(f"record keys for 1,000,000 pseudonyms (keyed blake2b, extract without keys): "
          f"{time.perf_counter() - started:.1f}s")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
