"""Ibis connections: DuckDB embedded by default, PySpark (local or a cluster's session) or PostgreSQL on request.

PySpark is imported only when asked for, so the default install never pays for it and a missing install is a
sentence telling the reader what to install, not an ImportError from deep inside Ibis.
"""

from __future__ import annotations

import os
from typing import Any

import ibis

from .errors import BackendError

BACKENDS = ("duckdb", "pyspark", "postgres")


def connect(backend: str = "duckdb", **options: Any) -> ibis.BaseBackend:
    """An Ibis connection for `backend`; `options` go to the backend (e.g. `session=` for PySpark, `url=`)."""
    if backend == "duckdb":
        con = ibis.duckdb.connect(**options)
        con.raw_sql("SET enable_progress_bar = false")  # a command's output is its findings, not a progress bar
        return con
    if backend == "pyspark":
        return ibis.pyspark.connect(options.pop("session", None) or spark_session(), **options)
    if backend == "postgres":
        url = options.pop("url", None) or os.environ.get("CAREHUB_EIA_POSTGRES_URL")
        if not url:
            raise BackendError(
                "The postgres backend needs a database: set CAREHUB_EIA_POSTGRES_URL (postgres://user@host/db) "
                "and name tables with --data NAME=table:TABLE."
            )
        return ibis.connect(url, **options)
    raise BackendError(f"Unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}.")


def spark_session() -> Any:
    """A local SparkSession sized for one machine, created once and reused (starting one takes seconds)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise BackendError(
            "The pyspark backend needs PySpark and Java 17: pip install 'carehub[spark]' "
            "(ibis-framework[pyspark]), then run again."
        ) from None
    return (
        SparkSession.builder.master(os.environ.get("CAREHUB_SPARK_MASTER", "local[*]"))
        .appName("carehub-eia")
        .config("spark.sql.shuffle.partitions", os.environ.get("CAREHUB_SPARK_PARTITIONS", "2"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # the command shows its own progress, one line a step
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("CAREHUB_SPARK_DRIVER_MEMORY", "4g"))
        .getOrCreate()
    )
