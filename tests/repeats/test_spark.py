"""`--backend spark` scores with the model trained on DuckDB and gives the same clusters and pairs."""

from __future__ import annotations

import pytest

from tests.repeats.conftest import read_rows, run_dedupe


@pytest.mark.slow
@pytest.mark.spark
def test_duckdb_and_spark_agree_on_a_small_file(labelled, dedupe_run, tmp_path):
    """Same input, same trained model: every record in the same cluster, every pair the same to 6 decimal places
    (both round the same probability; a difference in the last place would show as a changed pair)."""
    pytest.importorskip("pyspark")  # here, not at import: collecting the suite need not load PySpark
    run_dedupe(labelled.csv, tmp_path, "--model", str(dedupe_run.model), "--backend", "spark")
    assert read_rows(tmp_path / "clusters.csv") == read_rows(dedupe_run.out / "clusters.csv")
    spark_pairs = read_rows(tmp_path / "pairs.csv")
    duckdb_pairs = read_rows(dedupe_run.out / "pairs.csv")
    assert len(spark_pairs) > 250
    assert [(p["record_id_l"], p["record_id_r"]) for p in spark_pairs] == [
        (p["record_id_l"], p["record_id_r"]) for p in duckdb_pairs
    ]
    for s, d in zip(spark_pairs, duckdb_pairs, strict=True):
        assert float(s["match_probability"]) == pytest.approx(float(d["match_probability"]), abs=2e-6)
