"""`carehub extract`: pseudonymised, complete, and nothing that must not leave does."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from carehub.audit.models import AuditEvent
from carehub.people.models import Survivor
from carehub.referrals.models import Referral


@pytest.fixture
def seeded(db):
    call_command("seed", "--referrals", "400", "--seed", "5", verbosity=0)


def test_the_extract_holds_every_unsealed_referral_and_no_identity(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path))
    table = pq.read_table(tmp_path / "referrals.parquet")
    assert table.num_rows == Referral.objects.filter(sealed=False).count()
    assert "immigration_status" not in table.column_names
    assert not any(table.column("sealed").to_pylist())
    everything = " ".join(str(v) for column in table.to_pydict().values() for v in column)
    for referral in Referral.objects.select_related("survivor")[:50]:
        assert referral.reference not in everything
        identity = referral.survivor.identity
        for value in (identity.family_name, identity.email, identity.phone):
            if value:
                assert value not in everything
    assert set(table.column("ethnic_group").to_pylist()) <= {
        "",
        "asian",
        "black",
        "mixed",
        "white",
        "other",
        "prefer_not_to_say",
    }
    event = AuditEvent.objects.get(action="export")
    assert event.changes["files"]["referrals.parquet"] == table.num_rows


def test_pseudonyms_are_stable_and_link_a_survivors_referrals(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path / "a"))
    call_command("extract", "--out", str(tmp_path / "b"))
    a = pq.read_table(tmp_path / "a" / "referrals.parquet").column("survivor_key").to_pylist()
    b = pq.read_table(tmp_path / "b" / "referrals.parquet").column("survivor_key").to_pylist()
    assert a == b
    survivors = Survivor.objects.filter(referrals__sealed=False).distinct().count()
    assert len(set(a)) == survivors < len(a)  # repeat referrals share their survivor's key


def test_immigration_leaves_only_as_counts(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path))
    counts = pq.read_table(tmp_path / "immigration.parquet").to_pydict()
    assert set(counts) == {
        "quarter",
        "immigration_status",
        "referrals",
        "wants_by_and_for",
        "offered_by_and_for",
        "accepted",
        "closed",
        "positive_outcome",
    }
    assert set(counts["immigration_status"]) <= {"secure", "insecure", "unknown"}
    assert sum(counts["referrals"]) == Referral.objects.filter(sealed=False).count()


def test_the_sealed_pathway_leaves_only_when_asked_in_a_file_of_its_own(seeded, tmp_path):
    call_command("extract", "--out", str(tmp_path))
    assert not (tmp_path / "sealed_referrals.parquet").exists()
    call_command("extract", "--out", str(tmp_path), "--sealed-pathway")
    sealed = pq.read_table(tmp_path / "sealed_referrals.parquet")
    assert sealed.num_rows == Referral.objects.filter(sealed=True).count()
    assert AuditEvent.objects.filter(action="export", sealed=True).count() == 1
