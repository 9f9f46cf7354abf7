"""The independent advisory service's workspace: decisions, complaints, disclosures under consent, sealed from all."""

from __future__ import annotations

import datetime as dt

import pytest

from carehub.independent import services
from carehub.independent.models import Decision, Disclosure


def date_fields(prefix: str, name: str, day: dt.date) -> dict:
    return {f"{prefix}-{name}_day": day.day, f"{prefix}-{name}_month": day.month, f"{prefix}-{name}_year": day.year}


def test_an_adviser_records_decision_complaint_outcome_and_a_consented_disclosure(world, client_for):
    case = world.cases["sealed"]
    ines = client_for("ines")
    url = f"/independent/cases/{case.public_id}/"
    assert ines.get(url).status_code == 200
    ines.post(
        url,
        {
            "form": "decision",
            "decision-decision": "watchdog",
            **date_fields("decision", "decided_on", dt.date(2026, 3, 2)),
        },
    )
    assert Decision.objects.get(case=case).decision == "watchdog"
    ines.post(
        url,
        {
            "form": "complaint",
            "complaint-made_to": "watchdog",
            **date_fields("complaint", "made_on", dt.date(2026, 3, 9)),
        },
    )
    complaint = case.complaints.get()
    ines.post(
        url,
        {
            "form": "outcome",
            "outcome-complaint": complaint.public_id,
            "outcome-outcome": "misconduct",
            **date_fields("outcome", "outcome_on", dt.date(2026, 9, 1)),
        },
    )
    complaint.refresh_from_db()
    assert complaint.outcome == "misconduct"
    refused = ines.post(
        url,
        {
            "form": "disclosure",
            "disclosure-recipient": "Solicitor",
            "disclosure-purpose": "claim",
            "disclosure-what": "Dates of incidents",
            **date_fields("disclosure", "consent_recorded_on", dt.date(2026, 9, 2)),
        },
    )
    assert refused.status_code == 400 and "without her consent" in refused.content.decode()
    assert not Disclosure.objects.exists()
    ines.post(
        url,
        {
            "form": "disclosure",
            "disclosure-recipient": "Solicitor",
            "disclosure-purpose": "claim",
            "disclosure-what": "Dates of incidents",
            "disclosure-consent_given": "on",
            **date_fields("disclosure", "consent_recorded_on", dt.date(2026, 9, 2)),
        },
    )
    disclosure = Disclosure.objects.get()
    assert b"Dates of incidents" not in bytes(disclosure.what_sealed)
    assert "Dates of incidents" in ines.get(url).content.decode()


@pytest.mark.parametrize("persona", ["hana", "alice", "amara", "bea", "percy", "cora", "otto", "adam"])
def test_nobody_outside_the_service_reaches_the_workspace(world, client_for, persona):
    assert client_for(persona).get(f"/independent/cases/{world.cases['sealed'].public_id}/").status_code == 404


def test_an_unsealed_case_has_no_workspace(world, client_for):
    with pytest.raises(services.IndependentError):
        services.decision_record(
            actor=world.users["alice"], case=world.cases["solace"], decision="none", decided_on=dt.date(2026, 1, 1)
        )
