"""The whole way, on the database: `carehub seed` plants a known effect of longer support, `carehub extract` writes
episodes.parquet, and the analysis finds the planted answer (issue 16).

The truth is the seeded women's own potential outcomes (demo.planted), kept in the seed's audit event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from carehub.audit.models import AuditEvent
from carehub.extract.writer import extract_write
from carehub.insight.duration import analyse, load, load_spec
from carehub.insight.equality.backends import connect

END_OF_DATA = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)  # the end of the seed's last day


@pytest.fixture
def seeded_extract(db, tmp_path):
    call_command("seed", "--referrals", "4000", "--seed", "3", "--end-date", "2026-10-31", verbosity=0)
    extract_write(out_dir=tmp_path, end_of_data=END_OF_DATA)
    return tmp_path, AuditEvent.objects.get(action="seed").changes["planted"]


def test_the_analysis_of_a_seeded_extract_finds_the_planted_effect(seeded_extract):
    folder, truth = seeded_extract
    assert truth["hazard_ratio"] == 0.6 and truth["risk_difference"] < -0.03  # 26 weeks lowers the risk
    episodes = load(connect("duckdb"), folder, load_spec())
    assert len(episodes) == truth["episodes"]
    assert episodes.extract_date == END_OF_DATA.date()
    document = analyse(episodes, load_spec())
    low, high = document["trial"]["risk_difference"]["ci"]
    assert low <= truth["risk_difference"] <= high
    assert high - low < 0.12  # an interval that says something at this size
    # Women at higher risk are kept longer and come back more: the direct comparison leans the other way.
    assert document["naive"]["risk_difference"]["estimate"] > document["trial"]["risk_difference"]["estimate"]
