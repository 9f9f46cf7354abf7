"""Batch de-duplication: a CSV of identities in, likely duplicate pairs and clusters of one person out.

For data migration and research. The input is turned into linkage keys first (bulk.py, in a DuckDB connection that
may not spill to disk) and dropped; everything after that, Splink included, sees keys only, so nothing it writes or
spills holds an identity. The model trains itself on the input (u from random pairs, m by EM: no labels), unless a
saved model is given. Outputs: pairs at or above the threshold, and every record's cluster (records joined by any
chain of such pairs), named by the record_id of the cluster's first record in input order.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from carehub.repeats import bulk, splink_model
from carehub.repeats.bulk import InputError

DEFAULT_THRESHOLD = 0.9
STAGES = ("reading", "keying", "estimating u", "estimating m", "scoring pairs", "clustering", "writing")
# DuckDB spills beyond this. A million records never reach it (1.35 GiB at most); at ten million, 3 GB spilled
# gigabytes while scoring. The 8 GiB budget at ten million includes Python and the record ids.
SPLINK_MEMORY_LIMIT = "5GB"

__all__ = ["DEFAULT_THRESHOLD", "DedupeResult", "InputError", "dedupe"]


@dataclass
class DedupeResult:
    """What a run did: counts for the command's summary, and seconds per stage for benchmarks."""

    records: int = 0
    pairs: int = 0
    clusters: int = 0  # clusters of two or more records
    clustered_records: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # column -> values set aside as missing (rejects.csv)
    absent: tuple[str, ...] = ()  # input columns the file lacked: blank throughout
    model: str = "trained on the input"
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # all threads: shows what a loaded machine hides
    blocking: list[str] = field(default_factory=list)  # the prediction blocking rules used (capped at volume)


def dedupe(
    input_path: Path,
    out_dir: Path,
    *,
    hash_key: str,
    threshold: float = DEFAULT_THRESHOLD,
    options: splink_model.TrainingOptions | None = None,
    model_path: Path | None = None,
    save_model_path: Path | None = None,
    on_stage: Callable[[str], None] | None = None,
    strict: bool = False,
    backend: str = "duckdb",
) -> DedupeResult:
    """Write out_dir/pairs.csv, clusters.csv and rejects.csv for INPUT; raises InputError when INPUT cannot be used.

    A value its column cannot use is set aside as missing and listed in rejects.csv (bulk.load_csv); `strict`
    stops at the first one instead.

    `on_stage` is called with each stage's name as it starts (the command drives its progress bar with it).
    """
    if not 0 < threshold < 1:
        raise ValueError("the threshold is a probability strictly between 0 and 1")
    options = options or splink_model.TrainingOptions()
    saved = splink_model.load(model_path) if model_path else None
    result = DedupeResult()
    stage = _Stages(result, on_stage)
    with stage("reading"):
        plain = bulk.private_connection()
        loaded = bulk.load_csv(plain, str(input_path), strict=strict)
        result.records, result.rejected, result.absent = loaded.records, loaded.rejected, loaded.absent
        out_dir.mkdir(parents=True, exist_ok=True)
        bulk.write_rejects(plain, str(out_dir / "rejects.csv"))
    with stage("keying"):
        keys = bulk.build_linkage_keys(plain, hash_key)
        ids = plain.sql("SELECT rid, record_id FROM plain ORDER BY rid").to_arrow_table()
        plain.close()  # the plain values go with it
    with tempfile.TemporaryDirectory(prefix="carehub-dedupe-") as spill:
        con = _splink_connection(spill)
        try:
            con.register("keys_arrow", keys)
            con.execute("CREATE TABLE keys AS SELECT * FROM keys_arrow")
            con.unregister("keys_arrow")
            del keys  # DuckDB holds its own copy now
            _link(con, ids, out_dir, threshold, saved, options, save_model_path, stage, result, backend, spill)
        finally:
            con.close()
    return result


def _link(
    con: duckdb.DuckDBPyConnection,
    ids: pa.Table,
    out_dir: Path,
    threshold: float,
    saved: dict[str, Any] | None,
    options: splink_model.TrainingOptions,
    save_model_path: Path | None,
    stage: _Stages,
    result: DedupeResult,
    backend: str = "duckdb",
    spill: str = "",
) -> None:
    """Train (or take) the model, score the blocked pairs, cluster, and write the two files."""
    trained = _trained(con, saved, options, stage, result)
    if save_model_path:
        splink_model.save(trained, save_model_path)
    with stage("scoring pairs"):
        # Chosen for this file's size (a saved model's rules were for the file it was trained on).
        rules, table = splink_model.prediction_blocking(con, "keys")
        result.blocking = rules
        trained = trained | {"blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in rules]}
        if backend == "spark":
            from carehub.repeats import spark

            edges = spark.predict(con, table, trained, threshold, spill)
        else:
            edges = _predict(con, trained, threshold, table)
    with stage("clustering"):
        clusters = connected_components(result.records, edges["rid_l"], edges["rid_r"])
    with stage("writing"):
        out_dir.mkdir(parents=True, exist_ok=True)
        _write(con, ids, edges, clusters, out_dir)
    result.pairs = len(edges["rid_l"])
    sizes = np.bincount(clusters)
    result.clusters = int((sizes > 1).sum())
    result.clustered_records = int(sizes[sizes > 1].sum())


class _Stages:
    def __init__(self, result: DedupeResult, on_stage: Callable[[str], None] | None) -> None:
        self.result, self.on_stage = result, on_stage

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        if self.on_stage:
            self.on_stage(name)
        started, cpu = time.perf_counter(), time.process_time()
        yield
        self.result.seconds[name] = round(time.perf_counter() - started, 3)
        self.result.cpu_seconds[name] = round(time.process_time() - cpu, 3)


def _splink_connection(spill: str) -> duckdb.DuckDBPyConnection:
    """Splink's connection: keys only, so it may spill, into a private folder removed when the run ends."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{SPLINK_MEMORY_LIMIT}'")
    con.execute("SET temp_directory = ?", [spill])
    return con


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink narrates every step at INFO; the command has its own progress bar."""
    logger = logging.getLogger("splink")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _trained(
    con: duckdb.DuckDBPyConnection,
    saved: dict[str, Any] | None,
    options: splink_model.TrainingOptions,
    stage: _Stages,
    result: DedupeResult,
) -> dict[str, Any]:
    from splink import DuckDBAPI, Linker  # imported here: Splink takes a second to import

    with stage("estimating u"):
        if saved is not None:  # a trained model: nothing to estimate
            result.model = "given"
            return saved
        if result.records < splink_model.MIN_TRAINING_RECORDS:
            result.model = f"shipped (fewer than {splink_model.MIN_TRAINING_RECORDS} records to train on)"
            return splink_model.shipped_for(result.records)
        u = splink_model.estimate_u(con, "keys", options)
    with stage("estimating m"), _quiet_splink():
        linker = Linker(DuckDBAPI(con).register("keys"), splink_model.splink_settings(u), log_level=None)
        return splink_model.train(linker, options, con, "keys")


def _predict(
    con: duckdb.DuckDBPyConnection, trained: dict[str, Any], threshold: float, table: str = "keys"
) -> dict[str, np.ndarray]:
    from splink import DuckDBAPI, Linker

    rules = [rule["blocking_rule"] for rule in trained["blocking_rules_to_generate_predictions"]]
    with _quiet_splink():
        api = DuckDBAPI(con)
        # Splink scores the keys themselves: the big-block flags of capped rules are for blocked_pairs only.
        linker = Linker(api.register("keys"), trained, log_level=None)
        blocked = blocked_pairs(con, table, rules)
        linker.table_management.register_blocked_pairs_for_predict(api.register(blocked))
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    table = con.sql(
        f"""SELECT rid_l, rid_r, round(match_probability, 6) AS match_probability
            FROM {predictions.physical_name} ORDER BY rid_l, rid_r"""  # noqa: S608
    ).fetchnumpy()
    predictions.drop_table_from_database_and_remove_from_cache()
    con.execute(f"DROP TABLE {blocked}")
    return table


def blocked_pairs(con: duckdb.DuckDBPyConnection, table: str, rules: list[str]) -> str:
    """The pairs (l.rid < r.rid) any rule admits, each once, as Splink's table of blocked pairs; returns its name.

    The same pairs Splink makes from the rules, made more cheaply: Splink keeps a pair to the first rule that admits
    it by testing, for every pair a later rule makes, that no earlier rule does, and joins the whole width of the
    records (lists included) to do it; here each rule's pairs are made on their own, on a narrow table of the keys
    the rules test, and made unique once (at 3,000,000 records: the same pairs, 11 to 16 % less CPU
    and 0.6 GiB less memory for scoring).
    Which rule admitted a pair is not kept (Splink's match_key; nothing here reads it).
    """
    fields = sorted({name for rule in rules for name in re.findall(r"\b[lr]\.(\w+)", rule)})
    columns = ", ".join(["rid", *(f'"{f}"' for f in fields)])
    con.execute(f"CREATE OR REPLACE TEMP TABLE blocking_keys AS SELECT {columns} FROM {table}")  # noqa: S608
    made = " UNION ALL ".join(
        f"SELECT l.rid AS l, r.rid AS r FROM blocking_keys l JOIN blocking_keys r ON ({rule}) AND l.rid < r.rid"  # noqa: S608
        for rule in rules
    )
    con.execute(
        f"""CREATE OR REPLACE TABLE blocked_id_pairs AS
            SELECT '0' AS match_key, l AS join_key_l, r AS join_key_r FROM ({made}) GROUP BY l, r"""  # noqa: S608
    )
    con.execute("DROP TABLE blocking_keys")
    return "blocked_id_pairs"


def connected_components(n_records: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cluster label per record (rid 1..n at index rid-1): the smallest rid reachable through the pairs.

    Union-find over the pairs (a few hundred thousand at most), then every record's root found by pointer jumping
    on the whole array at once: a million records take milliseconds, not a million Python calls.
    """
    parent = np.arange(n_records + 1)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression keeps later look-ups short
            parent[x], x = root, parent[x]
        return root

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    while True:
        jumped = parent[parent]
        if np.array_equal(jumped, parent):
            return parent[1:].astype(np.int64)
        parent = jumped


def _write(
    con: duckdb.DuckDBPyConnection, ids: pa.Table, edges: dict[str, np.ndarray], clusters: np.ndarray, out_dir: Path
) -> None:
    con.register("ids", ids)
    con.register("edges", pa.table(edges))
    con.register("clusters", pa.table({"rid": np.arange(1, len(clusters) + 1), "root": clusters}))
    pairs_csv, clusters_csv = str(out_dir / "pairs.csv"), str(out_dir / "clusters.csv")
    con.execute(
        f"""COPY (SELECT l.record_id AS record_id_l, r.record_id AS record_id_r, e.match_probability
                 FROM edges e JOIN ids l ON l.rid = e.rid_l JOIN ids r ON r.rid = e.rid_r
                 ORDER BY e.rid_l, e.rid_r)
           TO {_quoted(pairs_csv)} (HEADER, DELIMITER ',')""",  # noqa: S608
    )
    con.execute(
        f"""COPY (SELECT i.record_id, root_id.record_id AS cluster_id
                 FROM clusters c JOIN ids i ON i.rid = c.rid JOIN ids root_id ON root_id.rid = c.root
                 ORDER BY c.rid)
           TO {_quoted(clusters_csv)} (HEADER, DELIMITER ',')""",  # noqa: S608
    )
    for name in ("ids", "edges", "clusters"):
        con.unregister(name)


def _quoted(path: str) -> str:
    """A file path as an SQL string literal (COPY takes no parameters)."""
    return "'" + path.replace("'", "''") + "'"
