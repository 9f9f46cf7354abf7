"""Issue 4 figures: `carehub repeats dedupe` on 100,000 and 1,000,000 labelled synthetic records.

Targets: precision >= 0.99 and recall >= 0.97; 1,000,000 records in under 60 s with peak memory under 4 GiB.

For each size, writes a labelled file with synthetic.linkage_records (about a fifth of records repeat an earlier person;
cached in --workdir by size and seed), then runs the command exactly as a user would, as a child process
(`python -m carehub repeats dedupe INPUT --out DIR`), timing it from start to exit and reading the child's own
peak resident memory and CPU seconds (os.wait4). Generation is not timed. Accuracy is pairwise, against the true
person of every record:
- over clusters (the headline): every pair of records in one cluster is a predicted match;
- over pairs.csv: the pairs the model itself scored at or above the threshold.
Also prints the machine's load average before and after, since the machine may be shared. Prints JSON lines and a
Markdown table; --append appends the table to benchmarks/RESULTS.md.

The child uses DJANGO_SETTINGS_MODULE from the environment (carehub.settings by default), so the repeats app must be
in INSTALLED_APPS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--name-tail", type=float, default=None, help="synthetic.linkage_records name_tail (default: its own)"
    )
    parser.add_argument("--threshold", type=float, default=None, help="passed to the command (default: its own)")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "carehub-dedupe-bench")
    parser.add_argument("--append", action="store_true", help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    sys.path.insert(0, str(ROOT / "src"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        source, labels = generate(args.workdir, size, args.seed, args.name_tail)
        run = run_command(source, args.workdir / f"out-{size}", args.threshold)
        run.update(accuracy(labels, args.workdir / f"out-{size}"))
        run.update(records=size, seed=args.seed, name_tail=args.name_tail, shared=shared_name_and_dob(source, labels))
        print(json.dumps(run), flush=True)
        rows.append(run)
    speed = scoring_speed()
    print(json.dumps(speed), flush=True)
    table = markdown(rows, speed)
    print(table)
    if args.append:
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(table)


def generate(workdir: Path, size: int, seed: int, name_tail: float | None) -> tuple[Path, Path]:
    """The labelled input for one size, written once and reused (generation is slow and not what is measured)."""
    from carehub.synthetic import linkage_records

    tail = linkage_records.NAME_TAIL if name_tail is None else name_tail
    stem = f"synthetic-{size}-seed{seed}-tail{tail:g}"
    source, labels = workdir / f"{stem}.csv", workdir / f"{stem}-labels.csv"
    if not (source.exists() and labels.exists()):
        started = time.perf_counter()
        linkage_records.write_csv(source, size, seed=seed, labels=labels, name_tail=tail)
        print(f"generated {source} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return source, labels


def run_command(source: Path, out: Path, threshold: float | None) -> dict:
    """The command as a child process: wall seconds, the child's CPU seconds and peak memory, and the load."""
    command = [sys.executable, "-m", "carehub", "repeats", "dedupe", str(source), "--out", str(out)]
    if threshold is not None:
        command += ["--threshold", str(threshold)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    summary = child.stdout.read().decode() if child.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the command failed: {' '.join(command)}")
    return {
        "wall_s": round(seconds, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_gib": round(usage.ru_maxrss / 2**20, 2),  # ru_maxrss is in KiB on Linux
        "load_before": [round(x, 1) for x in load_before],
        "load_after": [round(x, 1) for x in os.getloadavg()],
        "summary": summary.strip(),
    }


def accuracy(labels: Path, out: Path) -> dict:
    """Pairwise precision, recall and F1 over clusters and over pairs.csv, against the true person."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE truth AS SELECT * FROM read_csv('{labels}', all_varchar = true)")
    con.execute(f"CREATE TABLE clusters AS SELECT * FROM read_csv('{out / 'clusters.csv'}', all_varchar = true)")
    con.execute(f"CREATE TABLE pairs AS SELECT * FROM read_csv('{out / 'pairs.csv'}', all_varchar = true)")
    true_pairs = _one(con, "SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM truth GROUP BY person_id)")
    cluster_pairs = _one(
        con, "SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM clusters GROUP BY cluster_id)"
    )
    both = _one(
        con,
        """SELECT sum(n * (n - 1) / 2) FROM (
               SELECT count(*) AS n FROM clusters JOIN truth USING (record_id) GROUP BY cluster_id, person_id)""",
    )
    scored = _one(con, "SELECT count(*) FROM pairs")
    scored_true = _one(
        con,
        """SELECT count(*) FROM pairs p JOIN truth l ON l.record_id = p.record_id_l
           JOIN truth r ON r.record_id = p.record_id_r WHERE l.person_id = r.person_id""",
    )
    return {
        "true_pairs": int(true_pairs),
        "clusters": _scores(both, cluster_pairs, true_pairs),
        "pairs": _scores(scored_true, scored, true_pairs),
    }


def shared_name_and_dob(source: Path, labels: Path) -> float:
    """Share of people whose full name and date of birth another person also has: how hard the data is."""
    import duckdb

    sql = f"""
        WITH people AS (
            SELECT person_id, lower(first(given_name ORDER BY record_id)) AS g,
                   lower(first(family_name ORDER BY record_id)) AS f, first(date_of_birth ORDER BY record_id) AS d
            FROM read_csv('{source}', all_varchar = true) AS s
            JOIN read_csv('{labels}', all_varchar = true) AS l USING (record_id)
            GROUP BY person_id)
        SELECT coalesce(sum(n) FILTER (WHERE n > 1), 0) / sum(n)
        FROM (SELECT count(*) AS n FROM people WHERE d IS NOT NULL GROUP BY g, f, d)"""
    return round(float(duckdb.sql(sql).fetchall()[0][0]), 4)


def _one(con, sql: str) -> float:
    return float(con.execute(sql).fetchall()[0][0] or 0)


def _scores(hits: float, predicted: float, true: float) -> dict:
    precision = hits / predicted if predicted else 0.0
    recall = hits / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def scoring_speed(candidates: int = 300, repeats: int = 200) -> dict:
    """The hub's side: one new referral scored against `candidates` stored records with scoring.explain_pair.

    Keys come from people.linkage_keys of synthetic identities; the model is the one shipped with Care Hub. Times the
    scoring only (the database look-ups of candidate_blocks are the hub's).
    """
    import django

    django.setup()
    from carehub.people import linkage_keys
    from carehub.people.models import Identity
    from carehub.repeats import scoring, splink_model
    from carehub.synthetic import linkage_records

    identities = [Identity(**r.identity_fields()) for r in linkage_records.generate(candidates + 1, seed=11)]
    started = time.perf_counter()
    stored = [scoring.prepare(linkage_keys.linkage_keys(i)) for i in identities]  # as the hub would hold them
    keying_ms = (time.perf_counter() - started) * 1000 / len(stored)
    weights = scoring.Weights.from_model(splink_model.load_default())
    new, others = stored[0], stored[1:]
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for other in others:
            scoring.explain_pair(new, other, weights)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "candidates": candidates,
        "score_p50_ms": round(timings[len(timings) // 2], 2),
        "score_p95_ms": round(timings[int(len(timings) * 0.95)], 2),
        "linkage_keys_ms_per_identity": round(keying_ms, 3),
    }


def markdown(rows: list[dict], speed: dict) -> str:
    lines = [
        "",
        f"### `repeats dedupe`, {dt.date.today().isoformat()} ({platform.machine()}, {os.cpu_count()} cores)",
        "",
        "| records | precision | recall | F1 | pairs.csv P / R | wall | CPU | peak RSS | load before / after |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        c, p = r["clusters"], r["pairs"]
        lines.append(
            f"| {r['records']:,} | {c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f} | "
            f"{p['precision']:.4f} / {p['recall']:.4f} | {r['wall_s']:.1f} s | {r['cpu_s']:.1f} s | "
            f"{r['peak_rss_gib']:.2f} GiB | {r['load_before'][0]:.1f} / {r['load_after'][0]:.1f} |"
        )
    lines += [
        "",
        f"Hub scoring (scoring.explain_pair, plain Python): one referral against {speed['candidates']} candidates in "
        f"{speed['score_p50_ms']:.1f} ms (p50), {speed['score_p95_ms']:.1f} ms (p95); linkage_keys of one identity "
        f"{speed['linkage_keys_ms_per_identity']:.2f} ms.",
        "",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
