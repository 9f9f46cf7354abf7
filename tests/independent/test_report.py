"""The accountability report: counts only, fewer than 5 hidden, totals that give nothing away, CSV and HTML."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from carehub.independent.models import Complaint, Decision
from carehub.independent.report import HIDDEN_TEXT, build
from carehub.insight.suppression import TOTAL
from carehub.referrals.models import Referral
from tests import factories as f


@pytest.fixture
def many_sealed(world):
    """Twelve sealed referrals in one quarter and three in the next, to give both shown and hidden counts."""
    when = [dt.datetime(2026, 2, 10, tzinfo=dt.UTC)] * 12 + [dt.datetime(2026, 5, 10, tzinfo=dt.UTC)] * 3
    made = []
    for i, at in enumerate(when):
        referral = f.ReferralFactory(
            sealed=True,
            received_at=at,
            perpetrator_police="serving" if i % 4 else "former",
            abuse_types=["sexual", "coercive_control"],
            routed_service=world.services["ias"],
        )
        case = f.CaseFactory(referral=referral, service=world.services["ias"], sealed=True)
        Decision.objects.create(
            case=case, decision="watchdog" if i < 8 else "none", decided_on=at.date(), recorded_at=timezone.now()
        )
        if i < 6:
            Complaint.objects.create(case=case, made_to="watchdog", made_on=at.date(), outcome="ongoing")
        made.append(referral)
    return made


def test_counts_are_by_quarter_and_small_ones_hidden(many_sealed):
    officer = next(s for s in build() if s.title == "Officer status").table
    assert officer.shown("serving", "2026 Q1") == 9
    assert officer.shown("former", "2026 Q1") is None  # 3
    assert officer.shown("serving", "2026 Q2") is None  # 2 (plus the world's own sealed referral)
    for row in [*officer.rows, TOTAL]:
        hidden = [c for c in [*officer.columns, TOTAL] if (row, c) in officer.hidden]
        assert len(hidden) != 1


def test_no_person_level_field_reaches_the_report(many_sealed, client_for):
    body = client_for("cora").get("/independent/accountability/").content.decode()
    assert HIDDEN_TEXT in body
    for referral in Referral.objects.filter(sealed=True):
        assert referral.reference not in body
        assert referral.survivor.identity.family_name not in body


def test_csv_and_printable_report(many_sealed, client_for):
    cora = client_for("cora")
    response = cora.get("/independent/accountability/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    serving = [r for r in rows if r["table"] == "Officer status" and r["category"] == "Serving police officer"]
    assert {r["quarter"]: r["count"] for r in serving}["2026 Q1"] == "9"
    assert all(r["count"] == HIDDEN_TEXT or int(r["count"]) >= 5 for r in rows)
    html = cora.get("/independent/accountability/?format=html").content.decode()
    assert "<table>" in html and "accountability report" in html.lower()


@pytest.mark.parametrize("persona", ["percy", "pete", "hana", "alice", "otto", "adam"])
def test_only_commissioners_and_the_independent_service_see_it(world, client_for, persona):
    assert client_for(persona).get("/independent/accountability/").status_code == 404


def test_the_independent_service_sees_it(world, client_for):
    assert client_for("ivan").get("/independent/accountability/").status_code == 200
