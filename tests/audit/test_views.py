"""The auditor's pages: search the trail, and see who has looked at one survivor. Nobody else may see either.

The hub's auditor (otto) sees the hub's chain at /audit/; the independent service's auditor (oona) sees the sealed
chain at /audit/sealed/ and nothing of the hub's. Survivors are named by public id, never by key.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from carehub.audit import services as audit
from carehub.audit import verification
from carehub.audit.models import Action, AuditEvent, EventType, SealedAuditEvent
from carehub.core import public_ids
from carehub.people.services import survivor_erase
from tests import factories as f
from tests.audit.trail import named
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
        chain = SealedAuditEvent if persona == "ines" else AuditEvent
        events[persona] = chain.objects.filter(actor_username=persona, action=Action.VIEW).get()
    return events


def found(client, *, sealed: bool = False, **query) -> list:
    response = client.get(reverse("audit:sealed_events" if sealed else "audit:events"), query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def access_url(survivor, *, sealed: bool = False) -> str:
    name = "audit:sealed_survivor_access" if sealed else "audit:survivor_access"
    return reverse(name, kwargs={"public_id": survivor.public_id})


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


def test_search_by_event_type(world, reads, client_for):
    """The event type says what happened where the action only says "viewed": a case read, not a referral read."""
    assert reads["alice"].event_type == EventType.CASE_VIEWED
    assert reads["hana"].event_type == reads["amara"].event_type == EventType.REFERRAL_VIEWED
    otto = client_for("otto")
    assert found(otto, event_type=EventType.CASE_VIEWED) == [reads["alice"]]
    # the sealed read (ines) is another referral read, and stays out of the hub's answer
    assert seqs(found(otto, event_type=EventType.REFERRAL_VIEWED)) == seqs([reads["hana"], reads["amara"]])
    assert found(client_for("oona"), sealed=True, event_type=EventType.REFERRAL_VIEWED) == [reads["ines"]]


def test_the_trail_shows_each_events_type_by_its_name(world, reads, client_for):
    response = client_for("otto").get(reverse("audit:events"), {"actor": "alice", "action": "view"})
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', response.text)
    assert ">Event</th>" in response.text
    table = response.text.split('<table class="govuk-table">')[1]
    assert "Case viewed" in cells and "case_viewed" not in table  # the name, not the code
    assert '<option value="case_viewed">Case viewed</option>' in response.text  # and the filter offers it


def test_an_event_written_before_types_existed_says_so(world, client_for):
    event = audit.record(actor=world.users["hana"], action=Action.SEARCH, object_type="referral", object_id="x")
    assert event.event_type == ""
    response = client_for("otto").get(reverse("audit:events"), {"actor": "hana", "action": "search"})
    assert "Not recorded" in response.text


def test_search_by_record(world, reads, client_for):
    case = world.cases["solace"]
    assert found(client_for("otto"), object_type="case", object_id=named(case)) == [reads["alice"]]
    reference = world.referrals["solace"].reference
    assert found(client_for("otto"), object_id=reference) == [reads["amara"]]


def test_search_by_survivor_takes_her_public_id_as_read_out(world, reads, client_for):
    survivor = world.referrals["solace"].survivor
    expected = seqs(AuditEvent.objects.filter(survivor_id=survivor.pk))
    for typed in (survivor.public_id, public_ids.display(survivor.public_id).lower(), f" {survivor.public_id} "):
        events = found(client_for("otto"), survivor=typed)
        assert seqs(events) == expected, typed
    assert {reads["alice"], reads["amara"]} <= set(events)


def test_search_by_survivor_key_finds_nothing(world, reads, client_for):
    """Her internal key is no way in: keys are sequential, and the auditor never sees them."""
    response = client_for("otto").get(reverse("audit:events"), {"survivor": str(world.referrals["solace"].survivor_id)})
    assert list(response.context["page"].object_list) == []


def test_an_unknown_public_id_finds_nothing(world, reads, client_for):
    assert found(client_for("otto"), survivor="ZZZZ-ZZZZ-ZZZZ") == []


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
        ({"event_type": "rewritten"}, "Select a valid choice."),
        ({"survivor": "abc"}, "Enter a survivor ID as shown in the trail"),
        ({"survivor": "7K3Q-M9XD-2PR!"}, "Enter a survivor ID as shown in the trail"),
    ],
)
def test_a_bad_search_explains_itself_and_shows_no_results(world, reads, client_for, query, message):
    """Falling back to the whole trail would look like the answer to the search the auditor typed."""
    response = client_for("otto").get(reverse("audit:events"), query)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert list(response.context["page"].object_list) == []
    if "survivor" in query:
        assert f">{query['survivor']}<" not in response.text and "PR!" not in response.text.split("<form")[0]


def test_page_links_keep_the_search(world, client_for):
    for i in range(60):
        audit.record(actor=world.users["hana"], action=Action.SEARCH, object_type="referral", object_id=str(i))
    response = client_for("otto").get(reverse("audit:events"), {"actor": "hana", "action": "search"})
    assert "Page 1 of 2" in response.text
    assert 'href="?actor=hana&amp;action=search&amp;page=2"' in response.text
    second = client_for("otto").get(reverse("audit:events"), {"actor": "hana", "action": "search", "page": 2})
    assert {e.actor_username for e in second.context["page"].object_list} == {"hana"}


def test_who_has_looked_at_a_survivor(world, reads, client_for):
    survivor = world.referrals["solace"].survivor
    response = client_for("otto").get(access_url(survivor))
    assert response.status_code == 200
    assert f"survivor {public_ids.display(survivor.public_id)}" in response.text
    events = list(response.context["page"].object_list)
    assert seqs(events) == seqs(AuditEvent.objects.filter(survivor_id=survivor.pk))
    assert {e.actor_username for e in events if e.action == Action.VIEW} == {"alice", "amara"}
    for persona in ("alice", "amara"):
        assert f">{persona}<" in response.text
    assert ">hana<" not in response.text


def test_the_auditor_sees_who_did_what_never_the_content(world, reads, client_for):
    otto = client_for("otto")
    pages = [otto.get(reverse("audit:events"))]
    pages += [otto.get(access_url(r.survivor)) for r in world.referrals.values()]
    for page in pages:
        for record in world.referrals:
            assert world.marker(record) not in page.text


def test_the_trail_names_survivors_by_public_id_and_links_to_their_page(world, reads, client_for):
    survivor = world.referrals["solace"].survivor
    text = client_for("otto").get(reverse("audit:events")).text
    shown = public_ids.display(survivor.public_id)
    assert f'href="{access_url(survivor)}">survivor {shown}</a>' in text
    assert f"survivor {survivor.pk}<" not in text
    assert f"/audit/survivors/{survivor.pk}/" not in text


def test_no_page_shows_an_events_own_key(world, reads, client_for):
    """Event keys were shared by both chains before the sealed chain existed: a bare row id says nothing useful and
    could say something harmful."""
    otto = client_for("otto")
    text = otto.get(reverse("audit:events")).text
    row_ids = set(AuditEvent.objects.values_list("pk", flat=True)) - set(
        AuditEvent.objects.values_list("seq", flat=True)
    )
    cells = set(re.findall(r'<td class="govuk-table__cell">(\d+)</td>', text))
    assert not cells & {str(pk) for pk in row_ids}


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - AUDITORS))
def test_nobody_but_an_auditor_reaches_the_trail(world, reads, client_for, persona):
    client = client_for(persona)
    survivor = world.referrals["solace"].survivor
    assert client.get(reverse("audit:events")).status_code == 404
    assert client.get(access_url(survivor)).status_code == 404
    assert client.get(reverse("audit:sealed_events")).status_code == 404
    assert client.get(access_url(world.referrals["sealed"].survivor, sealed=True)).status_code == 404


def test_the_hubs_auditor_never_reaches_the_sealed_chain(world, reads, client_for):
    otto = client_for("otto")
    assert otto.get(reverse("audit:sealed_events")).status_code == 404
    assert otto.get(access_url(world.referrals["sealed"].survivor, sealed=True)).status_code == 404
    missing = otto.get(reverse("audit:sealed_events") + "nope/")
    assert missing.status_code == 404


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

    assert found(otto, actor="ines", action="view") == []
    assert found(otto, object_id=sealed.reference) == []
    assert sealed.reference not in otto.get(reverse("audit:events")).text
    access = otto.get(access_url(sealed.survivor))
    # Only the record's creation (the test world makes her survivor record as an ordinary one) and no one's reads.
    assert [e.action for e in access.context["page"].object_list] == ["create"]
    assert ">ines<" not in access.text

    assert reads["ines"] in found(oona, sealed=True)
    assert found(oona, sealed=True, object_id=sealed.reference) == [reads["ines"]]
    access = oona.get(access_url(sealed.survivor, sealed=True))
    assert reads["ines"] in list(access.context["page"].object_list)
    assert ">ines<" in access.text
    assert f'href="{access_url(sealed.survivor, sealed=True)}"' in oona.get(reverse("audit:sealed_events")).text


def test_the_independent_auditor_sees_the_sealed_chain_and_nothing_of_the_hubs(world, reads, client_for):
    oona = client_for("oona")
    events = found(oona, sealed=True)
    assert [e.seq for e in events] == list(SealedAuditEvent.objects.order_by("-seq").values_list("seq", flat=True))
    assert {type(e) for e in events} == {SealedAuditEvent}
    assert "Sealed pathway audit trail" in oona.get(reverse("audit:sealed_events")).text
    # Her link to "the audit trail" leads to her chain, keeping the search.
    response = oona.get(reverse("audit:events"), {"actor": "ines"})
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:sealed_events") + "?actor=ines"
    survivor = world.referrals["solace"].survivor
    assert oona.get(access_url(survivor))["Location"] == access_url(survivor, sealed=True)
    assert list(oona.get(access_url(survivor, sealed=True)).context["page"].object_list) == []


def test_the_erasure_of_a_sealed_survivor_is_sealed(world, client_for):
    survivor = world.referrals["sealed"].survivor
    survivor_erase(actor=world.users["ivan"], survivor=survivor, reason="Survivor asked for erasure")
    erasure = SealedAuditEvent.objects.get(action=Action.ERASE)
    assert erasure.sealed is True
    assert not AuditEvent.objects.filter(action=Action.ERASE).exists()
    assert found(client_for("otto"), action="erase") == []
    assert erasure in found(client_for("oona"), sealed=True)


def test_an_older_sealed_event_left_in_the_hubs_chain_stays_hidden(world, client_for):
    """Sealed events written before the sealed chain existed stay in the hub's chain (audit migration 0004)."""
    legacy = AuditEvent(
        at=timezone.now(), action=Action.VIEW, object_type="referral", object_id="CH-OLD1-0000", sealed=True
    )
    audit._append(audit.MAIN, [legacy])
    assert found(client_for("otto"), object_id="CH-OLD1-0000") == []
    assert verification.verify_chain() is None
