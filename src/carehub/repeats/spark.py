"""Scoring the blocked pairs on Splink's Spark backend (`carehub repeats dedupe --backend spark`).

For volumes one machine's DuckDB cannot hold: the keys go to Spark (local mode here; a cluster in production), and
Splink scores them there with the model trained on DuckDB (splink_model.for_dialect writes the same levels in Spark's
SQL), so both backends score with the same m, u and prior and give the same clusters. Training stays on DuckDB: it reads
samples of a bounded size. Spark only ever sees linkage keys, never an identity. PySpark is imported here, lazily,
as it is a development extra and takes seconds to start.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from carehub.people import linkage_keys
from carehub.repeats import splink_model

SIGN_FLIP = 9223372036854775808  # 2**63: Spark has no unsigned 64-bit integer; shifting keeps equality exact


def predict(con: Any, table: str, trained: dict[str, Any], threshold: float, scratch: str) -> dict[str, np.ndarray]:
    """Pairs at or above `threshold` (rid_l, rid_r, match_probability rounded to 6 places), scored on Spark."""
    from splink import Linker, SparkAPI

    spark = session(scratch)
    described = con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()  # noqa: S608
    blocks = [name for (name,) in described if name.startswith("big_")]
    frame = spark.createDataFrame(con.sql(_signed(table, blocks)).to_arrow_table())
    logger = logging.getLogger("splink")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        api = SparkAPI(spark_session=spark, break_lineage_method="persist")
        linker = Linker(api.register(frame), splink_model.for_dialect(trained, "spark"), log_level=None)
        predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        rows = (
            predictions.as_spark_dataframe()
            .selectExpr("rid_l", "rid_r", "round(match_probability, 6) AS match_probability")
            .orderBy("rid_l", "rid_r")
            .toArrow()
        )
    finally:
        logger.setLevel(previous)
    return {name: rows.column(name).to_numpy() for name in ("rid_l", "rid_r", "match_probability")}


def _signed(table: str, blocks: list[str]) -> str:
    """The keys as signed 64-bit integers (lists of them for the neighbourhoods), equal exactly where they were."""

    def signed(value: str) -> str:
        return f"({value}::HUGEINT - {SIGN_FLIP})::BIGINT"

    columns = [
        f'list_transform("{f}", lambda x: {signed("x")}) AS "{f}"'
        if f in linkage_keys.LIST_FIELDS
        else f'{signed(f)} AS "{f}"'
        for f in linkage_keys.ALL_KEY_FIELDS
    ]
    columns += [f'"{c}"' for c in blocks]  # big-block flags (splink_model.prediction_blocking): plain booleans
    return f"SELECT rid, {', '.join(columns)} FROM {table}"  # noqa: S608


_SESSION: Any = None


def session(scratch: str) -> Any:
    """A local Spark session (one per process: starting one costs seconds), writing only under `scratch`."""
    global _SESSION
    if _SESSION is None:
        from pyspark.sql import SparkSession

        _SESSION = (
            SparkSession.builder.master("local[2]")
            .appName("carehub-dedupe")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.memory", "4g")
            .config("spark.local.dir", scratch)
            .getOrCreate()
        )
        _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION
