from __future__ import annotations

from carehub.audit.models import AuditEvent


def test_an_administrator_sees_organisations_and_members_but_no_case_content(world, client_for):
    client = client_for("adam")
    body = client.get("/administration/").content.decode()
    assert "Quaymarsh Women&#x27;s Service" in body
    page = client.get(f"/administration/organisations/{world.orgs['solace'].slug}/").content.decode()
    assert "alice" in page and "Caseworker" in page
    assert world.marker("solace") not in page


def test_suspending_a_membership_cuts_access_at_once_and_is_audited(world, client_for):
    alice = client_for("alice")
    case_url = f"/cases/{world.cases['solace'].public_id}/"
    assert alice.get(case_url).status_code == 200
    membership = world.users["alice"].memberships.get()
    response = client_for("adam").post(f"/administration/memberships/{membership.pk}/toggle/")
    assert response.status_code == 302
    assert alice.get(case_url).status_code == 404
    event = AuditEvent.objects.filter(object_type="membership").get()
    assert event.changes["is_active"] == [True, False]
    assert event.actor_username == "adam"


def test_only_administrators_reach_the_pages(world, client_for):
    for persona in ("hana", "alice", "cora", "otto", "percy"):
        assert client_for(persona).get("/administration/").status_code == 404
    membership = world.users["alice"].memberships.get()
    assert client_for("amara").post(f"/administration/memberships/{membership.pk}/toggle/").status_code == 404
    membership.refresh_from_db()
    assert membership.is_active
