"""Shared fixtures for the equality engine: paths to the small real-data fixtures, a synthetic extract, one Spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from carehub.synthetic import extracts

FIXTURES = Path(__file__).parent / "fixtures"
SPECS = Path(__file__).resolve().parents[2] / "src" / "carehub" / "insight" / "specs"
STOP_SEARCH = FIXTURES / "stop_search_met_sample.csv.gz"
CENSUS = FIXTURES / "census_2021_london_boroughs.csv.gz"


@pytest.fixture(scope="session")
def stop_search_data() -> dict[str, str]:
    return {"stop_search": str(STOP_SEARCH), "census": str(CENSUS)}


@pytest.fixture(scope="session")
def referrals_parquet(tmp_path_factory) -> Path:
    """20,000 synthetic referrals with the extract's schema (seeded: the same file every run)."""
    return extracts.write_referrals(tmp_path_factory.mktemp("extract") / "referrals.parquet", 20_000, seed=7)


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole test session: starting one takes seconds. The tests' tables are tiny, so
    one shuffle partition (not one per core: each is a task to schedule)."""
    pytest.importorskip("pyspark")
    from carehub.insight.equality.backends import spark_session

    with pytest.MonkeyPatch.context() as env:
        env.setenv("CAREHUB_SPARK_PARTITIONS", "1")
        session = spark_session()
    yield session
    session.stop()
