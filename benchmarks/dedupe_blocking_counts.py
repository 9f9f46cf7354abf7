"""How many pairs each prediction blocking rule makes, and how many true pairs it alone finds (issue 17, third round).

For one input file (and its labels, when given): the linkage keys as `carehub repeats dedupe` builds them, then for
each rule of splink_model.PREDICTION_BLOCKING (or the rules chosen for the file's size, --chosen) its candidate
pairs counted exactly from key frequencies (no pairs made), and, with --pairs, the marginal pairs (not admitted by an
earlier rule: what Splink scores) and the true pairs it admits and that no other rule admits. Prints JSON lines.

    python benchmarks/dedupe_blocking_counts.py INPUT.csv [--labels LABELS.csv] [--pairs] [--chosen]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("--labels", type=Path)
    parser.add_argument("--pairs", action="store_true", help="make the pairs: marginal counts and true pairs")
    parser.add_argument("--chosen", action="store_true", help="the rules chosen for this file's size")
    parser.add_argument("--keys-cache", type=Path, help="Parquet file of the keys: written once, then read")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import duckdb

    from carehub.repeats import bulk, splink_model

    started = time.perf_counter()
    con = duckdb.connect()
    cache = args.keys_cache
    if cache and cache.exists():
        con.execute(f"CREATE TABLE keys AS SELECT * FROM read_parquet('{cache}')")
        con.execute(f"CREATE TABLE id_table AS SELECT * FROM read_parquet('{cache.with_suffix('.ids.parquet')}')")
        ids = con.sql("SELECT * FROM id_table").to_arrow_table()
    else:
        plain = bulk.private_connection()
        bulk.load_csv(plain, str(args.input))
        keys = bulk.build_linkage_keys(plain, "benchmark-key")
        ids = plain.sql("SELECT rid, record_id FROM plain").to_arrow_table()
        plain.close()
        con.register("keys_arrow", keys)
        con.execute("CREATE TABLE keys AS SELECT * FROM keys_arrow")
        con.unregister("keys_arrow")
        del keys
        if cache:
            con.execute(f"COPY keys TO '{cache}' (FORMAT parquet)")
            con.register("id_arrow", ids)
            con.execute(f"COPY (SELECT * FROM id_arrow) TO '{cache.with_suffix('.ids.parquet')}' (FORMAT parquet)")
    records = con.execute("SELECT count(*) FROM keys").fetchall()[0][0]
    print(json.dumps({"records": records, "keying_s": round(time.perf_counter() - started, 1)}), flush=True)
    base = list(splink_model.PREDICTION_BLOCKING)
    rules, table = splink_model.prediction_blocking(con, "keys") if args.chosen else (base, "keys")
    if args.labels:
        con.register("ids", ids)
        con.execute(
            f"""CREATE TABLE truth AS SELECT i.rid, t.person_id FROM ids i
                JOIN read_csv('{args.labels}', all_varchar = true) t USING (record_id)"""
        )
        con.execute(
            """CREATE TABLE true_pairs AS SELECT l.rid AS rid_l, r.rid AS rid_r
               FROM truth l JOIN truth r ON l.person_id = r.person_id AND l.rid < r.rid"""
        )
    total = 0
    for index, rule in enumerate(rules):
        if rule == base[index]:
            count = splink_model.count_pairs(con, "keys", rule)
        else:  # a capped rule: its pairs counted by joining
            count = con.execute(f"SELECT count(*) FROM ({_pairs_sql(rule, table)})").fetchall()[0][0]
        total += count
        row = {"rule": rule, "pairs": count, "per_record": round(count / records, 3)}
        if rule != base[index]:
            row["base_rule"] = base[index]
            row["base_pairs"] = splink_model.count_pairs(con, "keys", base[index])
        if args.pairs:
            con.execute(f"CREATE OR REPLACE TABLE rule_{index} AS {_pairs_sql(rule, table)}")
            earlier = " ".join(
                f"ANTI JOIN rule_{j} e{j} ON e{j}.rid_l = p.rid_l AND e{j}.rid_r = p.rid_r" for j in range(index)
            )
            row["marginal"] = con.execute(f"SELECT count(*) FROM rule_{index} p {earlier}").fetchall()[0][0]
        print(json.dumps(row), flush=True)
    summary: dict = {"rules": len(rules), "pairs_sum": total}
    if args.pairs and args.labels:
        union = " UNION ".join(f"SELECT * FROM rule_{i}" for i in range(len(rules)))
        con.execute(f"CREATE TABLE admitted AS {union}")
        summary["admitted"] = con.execute("SELECT count(*) FROM admitted").fetchall()[0][0]
        summary["true_pairs"] = con.execute("SELECT count(*) FROM true_pairs").fetchall()[0][0]
        summary["true_admitted"] = con.execute(
            "SELECT count(*) FROM true_pairs t SEMI JOIN admitted a USING (rid_l, rid_r)"
        ).fetchall()[0][0]
        for index, rule in enumerate(rules):
            others = " UNION ".join(f"SELECT * FROM rule_{j}" for j in range(len(rules)) if j != index) or (
                "SELECT NULL::BIGINT AS rid_l, NULL::BIGINT AS rid_r"
            )
            only = con.execute(
                f"""SELECT count(*) FROM true_pairs t SEMI JOIN rule_{index} p USING (rid_l, rid_r)
                    ANTI JOIN ({others}) o USING (rid_l, rid_r)"""
            ).fetchall()[0][0]
            print(json.dumps({"rule": rule, "true_pairs_only_this_rule": only}), flush=True)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(summary), flush=True)


def _pairs_sql(rule: str, table: str) -> str:
    """The rule's pairs (rid_l < rid_r), made by joining on its equalities."""
    return f"SELECT l.rid AS rid_l, r.rid AS rid_r FROM {table} l JOIN {table} r ON {rule} AND l.rid < r.rid"


if __name__ == "__main__":
    main()
