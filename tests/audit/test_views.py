"""The auditor's pages: search the trail, and see who has looked at one survivor. Nobody else may see either."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit import services as audit
from carehub.audit.models import Action, AuditEvent
from carehub.people.services import survivor_erase
from tests import factories as f
from tests.world import PERSONAS

AUDITORS = {"otto", "oona"}


@pytest.fixture
def reads(world, client_for) -> dict[str, AuditEvent]:
    """Four people open the records their work needs; each read's event, by persona."""
    opened = {
        "hana": reverse("referrals:detail", kwargs={"reference": world.referrals["triage"].reference}),
        "alice": reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id}),
        "amara": reverse("referrals:detail", kwargs={"reference": world.referrals["solace"].reference}),
        "ines": reverse("referrals:detail", kwargs={"reference": world.referrals["sealed"].reference}),
    }
    events = {}
    for persona, url in opened.items():
        assert client_for(persona).get(url).status_code == 200
        events[persona] = AuditEvent.objects.filter(actor_username=persona, action=Action.VIEW).get()
    return events


def found(client, **query) -> list[AuditEvent]:
    response = client.get(reverse("audit:events"), query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def seqs(events) -> list[int]:
    return sorted(e.seq for e in events)


def test_the_auditor_sees_the_whole_unsealed_trail_newest_first(world, reads, client_for):
    events = found(client_for("otto"))
    assert [e.seq for e in events] == list(
        AuditEvent.objects.filter(sealed=False).order_by("-seq").values_list("seq", flat=True)
    )


def test_search_by_username(world, reads, client_for):
    events = found(client_for("otto"), actor="hana")
    assert seqs(events) == seqs(AuditEvent.objects.filter(actor_username="hana"))
    assert reads["hana"] in events
    assert {e.action for e in events} == {"sign_in", "view", "search"}  # search: her page looks for repeats


def test_search_by_action(world, reads, client_for):
    events = found(client_for("otto"), action="view")
    assert seqs(events) == seqs([reads["hana"], reads["alice"], reads["amara"]])


def test_search_by_record(world, reads, client_for):
    case = world.cases["solace"]
    assert found(client_for("otto"), object_type="case", object_id=str(case.pk)) == [reads["alice"]]
    reference = world.referrals["solace"].reference
    assert found(client_for("otto"), object_id=reference) == [reads["amara"]]


def test_search_by_survivor(world, reads, client_for):
    survivor_id = world.referrals["solace"].survivor_id
    events = found(client_for("otto"), survivor_id=survivor_id)
    assert seqs(events) == seqs(AuditEvent.objects.filter(survivor_id=survivor_id))
    assert {reads["alice"], reads["amara"]} <= set(events)


def test_search_by_dates(world, reads, client_for):
    otto = client_for("otto")
    today = timezone.localdate()
    everything = found(otto)
    assert found(otto, date_from=today.isoformat(), date_to=today.isoformat()) == everything
    assert found(otto, date_to=(today - dt.timedelta(days=1)).isoformat()) == []
    assert found(otto, date_from=(today + dt.timedelta(days=1)).isoformat()) == []


def test_filters_combine(world, reads, client_for):
    assert found(client_for("otto"), actor="alice", action="view", object_type="referral") == []
    assert found(client_for("otto"), actor="alice", action="view", object_type="case") == [reads["alice"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2025-02-30"}, "Enter a valid date."),
        ({"date_to": "yesterday"}, "Enter a valid date."),
        ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "The end date must be the same as or after"),
        ({"action": "rewrite"}, "Select a valid choice."),
        ({"survivor_id": "abc"}, "Enter a whole number."),
    ],
)
def test_a_bad_search_explains_itself_and_shows_no_results(world, reads, client_for, query, message):
    """Falling back to the whole trail would look like the answer to the search the auditor typed."""
    response = client_for("otto").get(reverse("audit:events"), query)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert list(response.context["page"].object_list) == []


def test_page_links_keep_the_search(world, client_for):
    for i in range(60):
        audit.record(actor=world.users["hana"], action=Action.SEARCH, object_type="referral", object_id=str(i))
    response = client_for("otto").get(reverse("audit:events"), {"actor": "hana", "action": "search"})
    assert "Page 1 of 2" in response.text
    assert 'href="?actor=hana&amp;action=search&amp;page=2"' in response.text
    second = client_for("otto").get(reverse("audit:events"), {"actor": "hana", "action": "search", "page": 2})
    assert {e.actor_username for e in second.context["page"].object_list} == {"hana"}


def test_who_has_looked_at_a_survivor(world, reads, client_for):
    survivor_id = world.referrals["solace"].survivor_id
    response = client_for("otto").get(reverse("audit:survivor_access", kwargs={"survivor_id": survivor_id}))
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert seqs(events) == seqs(AuditEvent.objects.filter(survivor_id=survivor_id))
    assert {e.actor_username for e in events if e.action == Action.VIEW} == {"alice", "amara"}
    for persona in ("alice", "amara"):
        assert f">{persona}<" in response.text
    assert ">hana<" not in response.text


def test_the_auditor_sees_who_did_what_never_the_content(world, reads, client_for):
    otto = client_for("otto")
    pages = [otto.get(reverse("audit:events"))]
    pages += [
        otto.get(reverse("audit:survivor_access", kwargs={"survivor_id": r.survivor_id}))
        for r in world.referrals.values()
    ]
    for page in pages:
        for record in world.referrals:
            assert world.marker(record) not in page.text


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - AUDITORS))
def test_nobody_but_an_auditor_reaches_the_trail(world, reads, client_for, persona):
    client = client_for(persona)
    survivor_id = world.referrals["solace"].survivor_id
    assert client.get(reverse("audit:events")).status_code == 404
    assert client.get(reverse("audit:survivor_access", kwargs={"survivor_id": survivor_id})).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(world, client):
    response = client.get(reverse("audit:events"))
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign-in" in response["Location"]


def test_an_auditor_who_is_also_a_police_member_is_refused(world, client_for):
    f.MembershipFactory(user=world.users["otto"], organisation=world.orgs["met"], role="referrer")
    assert client_for("otto").get(reverse("audit:events")).status_code == 404


def test_sealed_records_appear_only_to_the_independent_services_auditor(world, reads, client_for):
    sealed = world.referrals["sealed"]
    otto, oona = client_for("otto"), client_for("oona")

    assert reads["ines"] not in found(otto)
    assert found(otto, actor="ines") == [e for e in found(otto, actor="ines") if not e.sealed]
    assert found(otto, object_id=sealed.reference) == []
    assert sealed.reference not in otto.get(reverse("audit:events")).text
    access = otto.get(reverse("audit:survivor_access", kwargs={"survivor_id": sealed.survivor_id}))
    assert ">ines<" not in access.text

    assert reads["ines"] in found(oona)
    assert found(oona, object_id=sealed.reference) == [reads["ines"]]
    access = oona.get(reverse("audit:survivor_access", kwargs={"survivor_id": sealed.survivor_id}))
    assert reads["ines"] in list(access.context["page"].object_list)
    assert ">ines<" in access.text


def test_the_erasure_of_a_sealed_survivor_is_sealed(world, client_for):
    survivor = world.referrals["sealed"].survivor
    survivor_erase(actor=world.users["ivan"], survivor=survivor, reason="Survivor asked for erasure")
    erasure = AuditEvent.objects.get(action=Action.ERASE)
    assert erasure.sealed is True
    assert erasure not in found(client_for("otto"))
    assert erasure in found(client_for("oona"))
