"""Issue 17 figures at volume: `carehub repeats dedupe` on 10,000,000 records (DuckDB), and 1,000,000 on Spark.

Three steps, each its own sub-command so the heavy ones can run one at a time:

- `generate --sizes 100000 1000000 10000000`: synthetic.linkage_records, seed 1, in one pass. The generator is a
  single random stream, so the first n records of a longer run are exactly the n-record file: every size is written
  as the stream passes it (the same files, and names, that dedupe_bench.py and dedupe_public_bench.py cache).
- `duckdb --size N`: the command as a user runs it, as a child process; wall time, CPU and peak resident memory
  (os.wait4), the load average, and pairwise precision and recall over clusters against the truth.
- `spark --size N`: trains once on DuckDB (--save-model), then scores the same file with that model on DuckDB and on
  Spark local mode (--model M, --backend spark), each a child process, and compares them: records whose cluster
  differs, pairs in one and not the other, and the largest difference of a shared pair's probability.

Prints JSON lines and a Markdown table; --append adds the table to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dedupe_bench import accuracy
from dedupe_public_bench import run_child

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SEED = 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("generate", "duckdb", "spark"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "carehub-public-bench")
    parser.add_argument("--append", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    sys.path.insert(0, str(ROOT / "src"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.step == "generate":
        generate(args.workdir, sorted(args.sizes))
        return
    source, labels = paths(args.workdir, args.size)
    if not source.exists():
        raise SystemExit(f"no {source}: run the generate step first")
    rows = duckdb_run(args.workdir, source, labels) if args.step == "duckdb" else spark_run(args.workdir, source)
    table = markdown(args.step, args.size, rows)
    print(table)
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(table)


def paths(workdir: Path, size: int) -> tuple[Path, Path]:
    from carehub.synthetic import linkage_records

    stem = f"synthetic-{size}-seed{SEED}-tail{linkage_records.NAME_TAIL:g}"  # as dedupe_bench.generate names them
    return workdir / f"{stem}.csv", workdir / f"{stem}-labels.csv"


def generate(workdir: Path, sizes: list[int]) -> None:
    """Every size's input and labels from one pass of the generator (the first n records are the n-record file)."""
    from carehub.synthetic import linkage_records

    pending = [size for size in sizes if not all(p.exists() for p in paths(workdir, size))]
    if not pending:
        return
    started = time.perf_counter()
    outputs = []
    for size in pending:
        source, labels = paths(workdir, size)
        partial = (source.with_suffix(".partial"), labels.with_suffix(".partial"))
        handles = [p.open("w", newline="", encoding="utf-8") for p in partial]
        writers = [csv.writer(h) for h in handles]
        writers[0].writerow(linkage_records.INPUT_COLUMNS)
        writers[1].writerow(("record_id", "person_id"))
        outputs.append((size, source, labels, partial, handles, writers))
    for index, record in enumerate(linkage_records.generate(pending[-1], seed=SEED), start=1):
        row = dataclasses.astuple(record)[:-1]  # as linkage_records.write_csv writes it
        label = (record.record_id, record.person_id)
        for size, _, _, _, _, writers in outputs:
            if index <= size:
                writers[0].writerow(row)
                writers[1].writerow(label)
        if index in pending:
            for size, source, labels, partial, handles, _ in outputs:
                if size == index:
                    for handle in handles:
                        handle.close()
                    partial[0].rename(source)
                    partial[1].rename(labels)
            print(f"{index:,} records in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def _command(source: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "carehub", "repeats", "dedupe", str(source), "--out", str(out), *extra]


def duckdb_run(workdir: Path, source: Path, labels: Path) -> list[dict]:
    out = workdir / f"out-duckdb-{source.stem}"
    run = run_child(_command(source, out), log=workdir / f"progress-duckdb-{source.stem}.log")
    run.update(backend="DuckDB", model="trained on the input", **accuracy(labels, out))
    print(json.dumps(run), flush=True)
    return [run]


def spark_run(workdir: Path, source: Path) -> list[dict]:
    """One model, trained once on DuckDB; the same file scored with it on DuckDB and on Spark; then compared."""
    model = workdir / f"model-{source.stem}.json"
    trained = workdir / f"out-train-{source.stem}"
    if not model.exists():
        run = run_child(_command(source, trained, "--save-model", str(model)))
        print(json.dumps({"training": run}), flush=True)
    rows = []
    for backend in ("duckdb", "spark"):
        out = workdir / f"out-{backend}-model-{source.stem}"
        run = run_child(_command(source, out, "--model", str(model), "--backend", backend))
        run.update(backend="DuckDB" if backend == "duckdb" else "Spark (local[2])", model="trained on DuckDB")
        print(json.dumps(run), flush=True)
        rows.append((run, out))
    rows[1][0]["agreement"] = agreement(rows[0][1], rows[1][1])
    print(json.dumps(rows[1][0]["agreement"]), flush=True)
    return [run for run, _ in rows]


def agreement(left: Path, right: Path) -> dict:
    """How far two runs' outputs differ: records clustered differently, pairs in one only, probability drift."""
    import duckdb

    con = duckdb.connect()
    for side, out in (("a", left), ("b", right)):
        clusters, pairs = str(out / "clusters.csv"), str(out / "pairs.csv")
        con.execute(f"CREATE TABLE {side}_c AS SELECT * FROM read_csv(?, all_varchar = true)", [clusters])
        con.execute(
            f"""CREATE TABLE {side}_p AS SELECT record_id_l, record_id_r, match_probability::DOUBLE AS p
                FROM read_csv(?, all_varchar = true)""",
            [pairs],
        )

    def one(sql: str) -> float:
        return con.execute(sql).fetchall()[0][0] or 0

    pair = "record_id_l, record_id_r"
    only = f"SELECT count(*) FROM (SELECT {pair} FROM {{}} EXCEPT SELECT {pair} FROM {{}})"
    return {
        "records_clustered_differently": int(
            one(
                """SELECT count(*) FROM a_c FULL JOIN b_c USING (record_id)
                   WHERE a_c.cluster_id IS DISTINCT FROM b_c.cluster_id"""
            )
        ),
        "pairs_duckdb": int(one("SELECT count(*) FROM a_p")),
        "pairs_only_duckdb": int(one(only.format("a_p", "b_p"))),
        "pairs_only_spark": int(one(only.format("b_p", "a_p"))),
        "max_probability_difference": float(
            one("SELECT max(abs(a_p.p - b_p.p)) FROM a_p JOIN b_p USING (record_id_l, record_id_r)")
        ),
    }


def markdown(step: str, size: int, rows: list[dict]) -> str:
    lines = [
        "",
        f"### Issue 17: {size:,} synthetic records, {step}, {dt.date.today().isoformat()} "
        f"({platform.machine()}, {os.cpu_count()} cores, shared)",
        "",
        "| backend | model | precision | recall | F1 | wall | CPU | peak RSS (largest process / all) "
        "| load before / after |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        c = r.get("clusters")
        scores = f"{c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f}" if c else "(as DuckDB) | | "
        lines.append(
            f"| {r['backend']} | {r['model']} | {scores} | {r['wall_s']:.1f} s | {r['cpu_s']:.1f} s | "
            f"{r['peak_rss_gib']:.2f} / {r['peak_tree_rss_gib']:.2f} GiB | "
            f"{r['load_before']:.1f} / {r['load_after']:.1f} |"
        )
    for r in rows:
        if "agreement" in r:
            lines += ["", "DuckDB beside Spark, same model: " + json.dumps(r["agreement"])]
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    main()
