"""The independent adviser assesses a sealed referral's risk and refers it to a sealed MARAC; its manager allocates."""

from __future__ import annotations

from django.urls import reverse

from carehub.audit.models import AuditEvent
from carehub.cases.models import Case, CaseStatus
from carehub.marac.models import MaracReferral


def dash_post(version: int, yes: int) -> dict:
    data = {"version": version, "police_callouts_12_months": 0}
    data.update({f"q{n}": "yes" if n <= yes else "no" for n in range(1, 25)})
    return data


def test_the_adviser_assesses_a_sealed_referral_and_it_goes_to_a_sealed_marac(world, client_for):
    case, referral = world.cases["sealed"], world.referrals["sealed"]
    MaracReferral.objects.filter(referral=referral).delete()
    hub_events = AuditEvent.objects.count()
    url = reverse("independent:risk", kwargs={"public_id": case.public_id})
    assert client_for("ines").get(url).status_code == 200
    response = client_for("ines").post(url, dash_post(referral.version, 14))
    marac = MaracReferral.objects.get(referral=referral)
    assert response.status_code == 302
    assert response["Location"] == reverse("marac:detail", kwargs={"public_id": marac.public_id})
    assert marac.sealed
    referral.refresh_from_db()
    assert (referral.risk_level, referral.dash_score, referral.status) == ("high", 14, "accepted")
    assert AuditEvent.objects.count() == hub_events
    page = client_for("ines").get(response["Location"]).content.decode()
    assert "names no officer" in page
    workspace = client_for("ines").get(reverse("independent:case", kwargs={"public_id": case.public_id}))
    assert reverse("marac:detail", kwargs={"public_id": marac.public_id}) in workspace.content.decode()


def test_the_hub_and_other_services_cannot_reach_the_sealed_assessment(world, client_for):
    url = reverse("independent:risk", kwargs={"public_id": world.cases["sealed"].public_id})
    for persona in ("hana", "amara", "alice", "percy", "pete", "adam"):
        assert client_for(persona).post(url, dash_post(1, 14)).status_code == 404, persona
    assert world.referrals["sealed"].dash_assessments.count() == 0


def test_an_ordinary_case_has_no_sealed_assessment_page(world, client_for):
    url = reverse("independent:risk", kwargs={"public_id": world.cases["solace"].public_id})
    assert client_for("ivan").get(url).status_code == 404


def test_the_independent_manager_allocates_a_waiting_sealed_case(world, client_for):
    case = world.cases["sealed"]
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.WAITING, caseworker=None)
    case.refresh_from_db()
    workspace = client_for("ivan").get(reverse("independent:case", kwargs={"public_id": case.public_id}))
    assert reverse("cases:allocate", kwargs={"public_id": case.public_id}) in workspace.content.decode()
    response = client_for("ivan").post(
        reverse("cases:allocate", kwargs={"public_id": case.public_id}),
        {"version": case.version, "caseworker": world.users["ines"].pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.caseworker) == (CaseStatus.OPEN, world.users["ines"])
