"""The same assessment on DuckDB and on PySpark (local mode) gives identical results; PostgreSQL when present.

PySpark here shares one local session (conftest `spark`); the whole file keeps Spark under about a minute on an idle
2-core machine. Known gap, declared: PostgreSQL runs only when a server answers at CAREHUB_EIA_POSTGRES_URL (CI
provides one at 127.0.0.1:5432); without one the test is skipped, saying so.
"""

from __future__ import annotations

import math
import os

import pyarrow.parquet as pq
import pytest

from carehub.insight.equality import assess, connect, load_spec
from carehub.synthetic import extracts

from .conftest import SPECS

POSTGRES_URL = os.environ.get("CAREHUB_EIA_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def same(left: list[dict], right: list[dict]) -> None:
    """Counts, labels and findings equal; floats equal to 1e-12 (a sum's rounding may differ in the last bit)."""
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        for key, value in a.items():
            other = b[key]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=1e-12, abs_tol=1e-15), (key, a, b)
            else:
                assert value == other, (key, a, b)


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory):
    return extracts.write_referrals(tmp_path_factory.mktemp("small") / "referrals.parquet", 2_000, seed=11)


@pytest.fixture(scope="module")
def hub_on_duckdb(small_extract) -> list[dict]:
    """The reference every other backend is held to, computed once for the module (it takes seconds)."""
    return assess(load_spec(SPECS / "hub.toml"), extracts.extract_data(small_extract)).results


@pytest.mark.spark
def test_stop_search_on_pyspark_equals_duckdb(spark, stop_search_data):
    spec = load_spec(SPECS / "over_policing_stop_search.toml")
    on_spark = assess(spec, stop_search_data, con=connect("pyspark", session=spark))
    on_duckdb = assess(spec, stop_search_data)
    assert on_spark.meta["backend"] == "pyspark"
    same(on_spark.results, on_duckdb.results)


@pytest.mark.spark
def test_hub_on_pyspark_equals_duckdb(spark, small_extract, hub_on_duckdb):
    spec = load_spec(SPECS / "hub.toml")
    data = extracts.extract_data(small_extract)
    same(assess(spec, data, con=connect("pyspark", session=spark)).results, hub_on_duckdb)


def test_hub_on_postgres_equals_duckdb(small_extract, hub_on_duckdb):
    psycopg = pytest.importorskip("psycopg")
    try:
        psycopg.connect(POSTGRES_URL.replace("postgres://", "postgresql://"), connect_timeout=3).close()
    except Exception:
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}: the postgres backend is not exercised here")
    con = connect("postgres", url=POSTGRES_URL)
    name = f"eia_test_referrals_{os.getpid()}"
    data = extracts.extract_data(small_extract)
    con.create_table(name, pq.read_table(small_extract), temp=True)
    con.create_table(f"{name}_immigration", pq.read_table(data["immigration"]), temp=True)
    spec = load_spec(SPECS / "hub.toml")
    on_postgres = assess(spec, {"referrals": f"table:{name}", "immigration": f"table:{name}_immigration"}, con=con)
    same(on_postgres.results, hub_on_duckdb)
