"""Nothing an auditor outside the independent service sees changes when sealed activity happens.

A differential test: render every audit page such a person can reach, for every persona outside the independent
service; then write sealed activity of every kind (a sealed referral by the API and by the self-referral form,
independent advisers and managers working on the sealed record, an administrator's break-glass attempts, an
erasure); then render again. The pages must be byte for byte the same, once the CSRF token (masked afresh on each
render) and any nonce are taken out. Before the sealed chain, the hub's event numbers jumped where sealed events had
been written, and survivors were named by a key shared with sealed survivors.
"""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carehub.accounts.apikeys import apikey_create
from carehub.audit import services as audit
from carehub.audit import verification
from carehub.audit.models import Action, AuditEvent
from carehub.independent.services import decision_record
from carehub.people.services import survivor_erase
from carehub.referrals import services as referral_services
from carehub.referrals.models import Referral
from tests.referrals.test_api_create import VALID, post
from tests.referrals.test_self_referral import STEPS, post_step, state_of, walk_to_check
from tests.world import PERSONAS

OUTSIDE_THE_INDEPENDENT_SERVICE = sorted(p for p, (org, _) in PERSONAS.items() if org != "ias")
# The reference the sealed API referral will be given, so the pages can search for it before it exists.
NEW_SEALED_REFERENCE = "CH-ZZZZ-2345"
REASON = "Court order 2026/118 requires the record to be produced today"


def _stripped(body: bytes) -> bytes:
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)
    return re.sub(rb'nonce="[^"]+"', b"", body)


def audit_urls(world) -> list[str]:
    """Every audit page an auditor outside the independent service can reach, with each kind of search."""
    today = timezone.localdate().isoformat()
    events = reverse("audit:events")
    searches = [
        {},
        {"page": 2},
        {"actor": "ines"},
        {"actor": "ivan"},
        {"actor": "adam"},
        {"actor": "hana"},
        {"action": "view"},
        {"action": "create"},
        {"action": "break_glass"},
        {"action": "erase"},
        {"object_type": "referral"},
        {"object_type": "survivor"},
        {"object_type": "case"},
        {"object_id": world.referrals["sealed"].reference},
        {"object_id": NEW_SEALED_REFERENCE},
        {"date_from": today, "date_to": today},
        {"actor": "ines", "action": "view", "date_from": today},
    ]
    searches += [{"survivor": r.survivor.public_id} for r in world.referrals.values()]
    urls = [events + "?" + "&".join(f"{k}={v}" for k, v in query.items()) for query in searches]
    urls += [
        reverse("audit:survivor_access", kwargs={"public_id": r.survivor.public_id}) for r in world.referrals.values()
    ]
    urls.append(reverse("audit:survivor_access", kwargs={"public_id": "ZZZZZZZZZZZZ"}))
    urls.append(reverse("audit:sealed_events"))
    return urls


@pytest.fixture
def clients(world, client_for) -> dict:
    """One signed-in client per persona outside the independent service, signed in once: a sign-in is an event."""
    return {persona: client_for(persona) for persona in OUTSIDE_THE_INDEPENDENT_SERVICE}


@pytest.fixture
def met_key(world) -> str:
    return apikey_create(actor=None, organisation=world.orgs["met"])[1]


def render_all(world, clients) -> dict[tuple[str, str], tuple[int, bytes]]:
    pages = {}
    for persona, client in clients.items():
        for url in audit_urls(world):
            response = client.get(url)
            pages[persona, url] = (response.status_code, _stripped(response.content))
    return pages


def hub_activity(world, clients) -> None:
    """Ordinary work, so the hub's pages have events (two pages of them) around where sealed ones would fall."""
    clients["hana"].get(reverse("referrals:detail", kwargs={"reference": world.referrals["triage"].reference}))
    for i in range(55):
        audit.record(actor=world.users["hana"], action=Action.SEARCH, object_type="referral", object_id=f"CH-H{i:03d}")


def sealed_activity(world, clients, client_for, met_key, monkeypatch, capture_on_commit) -> None:
    """Every kind of sealed activity. The independent service's people sign in afresh: that is activity too."""
    cache.clear()  # rate limits from earlier requests must not refuse the activity
    # A police force sends a referral about a serving officer through the API.
    monkeypatch.setattr(referral_services, "new_reference", lambda: NEW_SEALED_REFERENCE)
    body = copy.deepcopy(VALID)
    body["perpetrator_police"] = "serving"
    assert post(Client(), body, met_key).status_code == 201
    monkeypatch.undo()
    assert Referral.objects.get(reference=NEW_SEALED_REFERENCE).sealed
    # A survivor refers herself about a police officer through the web form.
    client = Client()
    check = walk_to_check(client, {**STEPS, "situation": {**STEPS["situation"], "perpetrator_police": "serving"}})
    post_step(client, state_of(check), "check", {}, action="submit")
    assert Referral.objects.filter(sealed=True, channel="self").exists()
    # The independent service works on the sealed records.
    sealed = world.referrals["sealed"]
    for persona in ("ines", "ivan"):
        for referral in Referral.objects.filter(sealed=True):
            client_for(persona).get(reverse("referrals:detail", kwargs={"reference": referral.reference}))
    decision_record(
        actor=world.users["ines"], case=world.cases["sealed"], decision="watchdog", decided_on=dt.date(2026, 3, 2)
    )
    # An administrator tries break-glass on sealed references, and opens what it gives her, if anything.
    adam = clients["adam"]
    with capture_on_commit(execute=True):
        for reference in (sealed.reference, NEW_SEALED_REFERENCE):
            adam.post(reverse("administration:break_glass"), {"reference": reference, "reason": REASON})
            adam.get(reverse("referrals:detail", kwargs={"reference": reference}))
    # The independent service's manager erases a sealed survivor at her request.
    survivor_erase(actor=world.users["ivan"], survivor=sealed.survivor, reason="Survivor asked for erasure")


def test_no_audit_page_outside_the_independent_service_changes_with_sealed_activity(
    world, clients, client_for, met_key, monkeypatch, django_capture_on_commit_callbacks
):
    hub_activity(world, clients)
    before = render_all(world, clients)
    assert before["otto", reverse("audit:events") + "?"][0] == 200
    assert b"Page 1 of 2" in before["otto", reverse("audit:events") + "?"][1], "too few events to page through"
    main_head = verification.head()

    sealed_activity(world, clients, client_for, met_key, monkeypatch, django_capture_on_commit_callbacks)

    assert verification.head() == main_head, "the hub's chain moved with sealed activity alone"
    assert verification.head(audit.SEALED)[0] > 5, "the sealed activity wrote nothing: the test proves nothing"
    after = render_all(world, clients)
    changed = [key for key in before if before[key] != after[key]]
    assert changed == []


def test_the_hubs_numbers_have_no_gap_where_sealed_events_were_written(
    world, clients, client_for, met_key, monkeypatch, django_capture_on_commit_callbacks
):
    hub_activity(world, clients)
    sealed_activity(world, clients, client_for, met_key, monkeypatch, django_capture_on_commit_callbacks)
    hub_activity(world, clients)

    numbers = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert not AuditEvent.objects.filter(sealed=True).exists()
    shown = [e.seq for e in clients["otto"].get(reverse("audit:events")).context["page"].object_list]
    assert shown == list(range(numbers[-1], numbers[-1] - len(shown), -1)), "the auditor's page skips a number"
    assert verification.verify_chain() is None
    assert verification.verify_chain(chain=audit.SEALED) is None


@pytest.mark.parametrize("persona", OUTSIDE_THE_INDEPENDENT_SERVICE)
def test_survivor_numbers_never_appear(world, clients, persona):
    """Survivors' keys come from a sequence shared with sealed survivors: "survivor 225, then 228" counts them."""
    hub_activity(world, clients)
    text = clients[persona].get(reverse("audit:events")).content.decode()
    for referral in world.referrals.values():
        assert f"survivor {referral.survivor_id}<" not in text
        assert f"/audit/survivors/{referral.survivor_id}/" not in text
