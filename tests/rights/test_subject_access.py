"""Subject access requests: who may open and answer them, when they are due, what the pack redacts, and that only a
released pack leaves the hub."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from carehub.audit.models import AuditEvent, EventType, SealedAuditEvent
from carehub.core.public_ids import display
from carehub.rights import pack, services
from carehub.rights.models import SubjectAccessRequest
from tests.rights.helpers import HOUSEMATE, PASSAGE, REFERRER, STAFF, WITHHELD_NOTE, hub_manager, with_records

RECEIVED = dt.date(2026, 1, 31)


def _open(client, survivor, received=RECEIVED, org=None):
    url = reverse("rights:access_open", kwargs={"public_id": survivor.public_id})
    if org:
        url += f"?org={org}"
    data = {"received_on_day": received.day, "received_on_month": received.month, "received_on_year": received.year}
    return client.post(url, data)


# --- due dates ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "extension", "due"),
    [
        (dt.date(2026, 1, 15), 0, dt.date(2026, 2, 15)),
        (dt.date(2026, 1, 31), 0, dt.date(2026, 2, 28)),  # one calendar month, to the month's last day
        (dt.date(2028, 1, 31), 0, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 1, 31), 2, dt.date(2026, 4, 30)),  # counted from receipt, not from the first due date
        (dt.date(2026, 11, 30), 1, dt.date(2027, 1, 30)),
    ],
)
def test_a_request_is_due_one_calendar_month_after_receipt_plus_any_extension(received, extension, due):
    assert services.due_on(received, extension) == due


def test_an_extension_moves_the_due_date_and_is_at_most_two_months(world):
    amara = world.users["amara"]
    sar = services.subject_access_open(
        actor=amara,
        survivor=world.referrals["solace"].survivor,
        organisation=world.orgs["solace"],
        received_on=RECEIVED,
    )
    assert sar.due_on == dt.date(2026, 2, 28)
    services.subject_access_extend(actor=amara, request=sar, months=2, reason="many years of records")
    sar.refresh_from_db()
    assert (sar.extension_months, sar.due_on) == (2, dt.date(2026, 4, 30))
    assert b"many years" not in bytes(sar.extension_reason_sealed)  # sealed, not in the clear
    with pytest.raises(services.ServiceError):
        services.subject_access_extend(actor=amara, request=sar, months=3, reason="more")
    event = AuditEvent.objects.filter(event_type=EventType.SUBJECT_ACCESS_EXTENDED).get()
    assert event.changes == {"extension_months": 2, "due_on": "2026-04-30"}


# --- who may open and see --------------------------------------------------------------------------------------

# Whose requests each persona may open from her record, by world record: written out by hand from the brief.
MAY_OPEN = {
    "triage": {"hilda"},
    "solace": {"hilda", "amara"},
    "sistah": {"hilda", "bea"},
    "sealed": {"ivan"},
}


@pytest.mark.parametrize("persona", ["hilda", "amara", "bea", "ivan", "ines", "alice", "hana", "percy", "pete", "cora"])
def test_only_managers_answering_for_her_records_may_open_a_request(world, client_for, persona):
    hub_manager(world)
    client = client_for(persona)
    for key, referral in world.referrals.items():
        survivor = referral.survivor
        page = client.get(reverse("rights:survivor", kwargs={"public_id": survivor.public_id}))
        allowed = persona in MAY_OPEN[key]
        assert page.status_code == (200 if allowed else 404), (persona, key)
        response = _open(client, survivor)
        assert response.status_code == (302 if allowed else 404), (persona, key)
    opened = SubjectAccessRequest.objects.filter(opened_by=world.users[persona]).count()
    assert opened == sum(persona in allowed for allowed in MAY_OPEN.values())


def test_a_sealed_survivor_looks_exactly_like_one_who_does_not_exist(world, client_for):
    hub_manager(world)
    sealed = world.referrals["sealed"]
    for persona in ("hilda", "amara"):
        client = client_for(persona)
        for name in ("rights:survivor", "rights:access_open", "rights:erasure_open", "rights:rectify"):
            hidden = client.get(reverse(name, kwargs={"public_id": sealed.survivor.public_id}))
            missing = client.get(reverse(name, kwargs={"public_id": "ZZZZZZZZZZZZ"}))
            assert hidden.status_code == missing.status_code == 404
            assert _without_csrf(hidden.content) == _without_csrf(missing.content)
        # Found by her referral reference: the same answer as a reference nobody has.
        pages = [
            client.get(reverse("rights:index"), {"reference": typed}).content.replace(typed.encode(), b"TYPED")
            for typed in (sealed.reference, "CH-ZZZZ-ZZZZ")
        ]
        assert _without_csrf(pages[0]) == _without_csrf(pages[1])
        assert world.marker("sealed").encode() not in pages[0]


def test_a_sealed_survivors_request_stays_in_the_independent_service_and_its_chain(world, client_for):
    hub_manager(world)
    ivan = client_for("ivan")
    survivor = world.referrals["sealed"].survivor
    assert _open(ivan, survivor).status_code == 302
    sar = SubjectAccessRequest.objects.get()
    assert sar.sealed
    assert SealedAuditEvent.objects.filter(event_type=EventType.SUBJECT_ACCESS_OPENED).count() == 1
    assert not AuditEvent.objects.filter(event_type=EventType.SUBJECT_ACCESS_OPENED).exists()
    for persona in ("hilda", "amara", "ines", "hana"):
        assert client_for(persona).get(reverse("rights:access", kwargs={"public_id": sar.public_id})).status_code == 404
    assert ivan.get(reverse("rights:access", kwargs={"public_id": sar.public_id})).status_code == 200
    # The independent service's pack holds the sealed pathway's records, and its events stay in the sealed chain.
    ivan.post(reverse("rights:access_review", args=[sar.public_id]), {"passages": ""})
    ivan.post(reverse("rights:access_release", args=[sar.public_id]))
    _, data = _downloads(ivan, SubjectAccessRequest.objects.get())
    referrals = next(s for s in data["sections"] if s["title"] == "Referrals")["items"]
    assert [dict(i["facts"])["Reference"] for i in referrals] == [world.referrals["sealed"].reference]
    assert world.marker("sealed") in json.dumps(data)
    assert not AuditEvent.objects.filter(event_type__startswith="subject_access").exists()


def test_a_service_manager_sees_reviews_and_releases_only_her_own_organisations_requests(world, client_for):
    amara = client_for("amara")
    _open(amara, world.referrals["solace"].survivor)
    sar = SubjectAccessRequest.objects.get()
    url = reverse("rights:access", kwargs={"public_id": sar.public_id})
    assert amara.get(url).status_code == 200
    assert client_for("bea").get(url).status_code == 404
    assert display(sar.public_id) not in client_for("bea").get(reverse("rights:index")).content.decode()
    assert display(sar.public_id) in amara.get(reverse("rights:index")).content.decode()
    # Nor may anyone else review, release or download it.
    services.subject_access_review(
        actor=world.users["amara"], request=sar, passages=[], withheld=[], redact_staff_names=False
    )
    for persona in ("bea", "alice", "hana", "ivan", "adam"):
        client = client_for(persona)
        assert (
            client.post(reverse("rights:access_review", args=[sar.public_id]), {"passages": "x" * 5}).status_code == 404
        )
        assert client.post(reverse("rights:access_release", args=[sar.public_id])).status_code == 404
    sar.refresh_from_db()
    assert not sar.is_released and services.redactions_of(sar).passages == ()
    assert amara.post(reverse("rights:access_release", args=[sar.public_id])).status_code == 302
    for persona in ("bea", "alice", "hana", "ivan", "adam"):
        download = reverse("rights:access_download", args=[sar.public_id, "json"])
        assert client_for(persona).get(download).status_code == 404
    assert amara.get(reverse("rights:access_download", args=[sar.public_id, "json"])).status_code == 200


# --- the pack: redaction, release, download --------------------------------------------------------------------


def _released(world, client, *, staff_names=True, withhold=True):
    referral, _case, contacts = with_records(world)
    _open(client, referral.survivor)
    sar = SubjectAccessRequest.objects.get()
    withheld = [pack.item_id("contact", contacts[2].pk)] if withhold else []
    review = reverse("rights:access_review", kwargs={"public_id": sar.public_id})
    data = {"passages": PASSAGE, "withheld": withheld}
    if staff_names:
        data["redact_staff_names"] = "on"
    assert client.post(review, data).status_code == 302
    assert client.post(reverse("rights:access_release", kwargs={"public_id": sar.public_id})).status_code == 302
    sar.refresh_from_db()
    return sar


def _downloads(client, sar) -> tuple[str, dict]:
    html = client.get(reverse("rights:access_download", kwargs={"public_id": sar.public_id, "kind": "html"}))
    data = client.get(reverse("rights:access_download", kwargs={"public_id": sar.public_id, "kind": "json"}))
    assert html.status_code == data.status_code == 200
    assert "attachment" in html["Content-Disposition"] and sar.public_id in html["Content-Disposition"]
    return html.content.decode(), json.loads(data.content)


def test_redaction_is_applied_in_both_the_html_and_the_json_pack(world, client_for):
    amara = client_for("amara")
    sar = _released(world, amara)
    html, data = _downloads(amara, sar)
    texts = json.dumps(data)
    for body in (html, texts):
        assert world.marker("solace") in body  # her own details are hers
        assert "Called her." in body and "planned the court date" in body
        for gone in (PASSAGE, REFERRER, "Tamsin", HOUSEMATE, WITHHELD_NOTE, "020 7946 0000"):
            assert gone not in body, gone
        assert pack.REDACTED in body and pack.OTHER_PERSON in body and pack.STAFF_IN_TEXT in body
    notes = [
        dict(i["texts"]).get("Note")
        for s in data["sections"]
        for i in s["items"]
        if i["kind"] == "contact" and not i.get("withheld")
    ]
    assert notes == [
        f"Called her. {pack.OTHER_PERSON} had said she was worried; {pack.REDACTED}.",
        f"Session with {pack.STAFF_IN_TEXT}: planned the court date.",
    ]
    assert sum(1 for s in data["sections"] for i in s["items"] if i.get("withheld")) == 1
    # Staff names: the organisation chose to leave them out, so "Alice" is nowhere, not even as who recorded a note.
    assert not re.search(rf"\b{STAFF}\b", texts)


def test_staff_names_stay_when_the_organisation_does_not_choose_to_leave_them_out(world, client_for):
    amara = client_for("amara")
    sar = _released(world, amara, staff_names=False)
    _, data = _downloads(amara, sar)
    assert f"Session with {STAFF}: planned the court date." in json.dumps(data)
    assert REFERRER not in json.dumps(data)  # other people's names go whatever the choice on staff


def test_the_pack_holds_her_consent_history_including_withdrawals(world, client_for):
    amara = client_for("amara")
    sar = _released(world, amara)
    _, data = _downloads(amara, sar)
    consents = next(s for s in data["sections"] if s["title"].startswith("Consents"))["items"]
    answers = [dict(i["facts"])["Answer"] for i in consents]
    assert answers[-2:] == ["Given", "Withdrawn or refused"]
    assert dict(consents[-1]["texts"])["Why it was withdrawn"] == "she no longer wants it shared"


def test_an_unreleased_pack_cannot_be_downloaded(world, client_for):
    amara = client_for("amara")
    with_records(world)
    _open(amara, world.referrals["solace"].survivor)
    sar = SubjectAccessRequest.objects.get()
    for kind in ("html", "json"):
        url = reverse("rights:access_download", kwargs={"public_id": sar.public_id, "kind": kind})
        assert amara.get(url).status_code == 404
    # Nor released without a review.
    amara.post(reverse("rights:access_release", kwargs={"public_id": sar.public_id}))
    sar.refresh_from_db()
    assert not sar.is_released and sar.pack_sealed is None
    assert not AuditEvent.objects.filter(event_type=EventType.SUBJECT_ACCESS_DOWNLOADED).exists()


def test_every_download_is_audited_and_the_released_pack_is_sealed_at_rest(world, client_for):
    amara = client_for("amara")
    sar = _released(world, amara)
    _downloads(amara, sar)
    events = AuditEvent.objects.filter(event_type=EventType.SUBJECT_ACCESS_DOWNLOADED).order_by("seq")
    assert [e.changes for e in events] == [{"format": "html"}, {"format": "json"}]
    assert {e.object_id for e in events} == {sar.public_id}
    assert world.marker("solace").encode() not in bytes(sar.pack_sealed)
    assert PASSAGE.encode() not in bytes(sar.redactions_sealed)
    # The trail of the review holds counts, never the passages.
    review = AuditEvent.objects.get(event_type=EventType.SUBJECT_ACCESS_REVIEWED)
    assert review.changes == {"passages": 1, "withheld_items": 1, "redact_staff_names": True}


def test_a_released_pack_stays_as_released(world, client_for):
    amara = client_for("amara")
    sar = _released(world, amara)
    before = _downloads(amara, sar)[1]
    with_records(world)  # more records after release
    assert _downloads(amara, sar)[1] == before
    review = reverse("rights:access_review", kwargs={"public_id": sar.public_id})
    assert amara.post(review, {"passages": "anything"}).status_code == 302  # back to the request: nothing changes
    sar.refresh_from_db()
    assert services.redactions_of(sar).passages == (PASSAGE,)


def test_the_html_pack_stands_alone_under_its_own_content_security_policy(world, client_for):
    amara = client_for("amara")
    sar = _released(world, amara)
    response = amara.get(reverse("rights:access_download", kwargs={"public_id": sar.public_id, "kind": "html"}))
    body = response.content.decode()
    assert "<link" not in body and "<script" not in body and "http://" not in body and "https://" not in body
    policy = response["Content-Security-Policy"]
    assert pack.style_hash() in policy and "'unsafe-inline'" not in policy


def test_the_hub_managers_pack_holds_the_hubs_records_not_a_services_case_notes(world, client_for):
    hub_manager(world)
    hilda = client_for("hilda")
    sar = _released(world, hilda, withhold=False)
    _, data = _downloads(hilda, sar)
    kinds = {i["kind"] for s in data["sections"] for i in s["items"]}
    assert {"survivor", "referral", "consent"} <= kinds
    assert not kinds & {"case", "contact"}


def _without_csrf(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


@pytest.mark.parametrize(
    ("persona", "sees"), [("hilda", True), ("amara", True), ("ivan", True), ("alice", False), ("hana", False)]
)
def test_a_managers_home_leads_to_the_requests_she_answers(world, client_for, persona, sees):
    hub_manager(world)
    home = client_for(persona).get(reverse("home"))
    assert home.status_code == 200
    assert ("Subject access and erasure requests" in home.content.decode()) == sees


def test_her_pages_link_to_her_rights_for_those_who_may_use_them(world, client_for):
    case = reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id})
    referral = reverse("referrals:detail", kwargs={"reference": world.referrals["triage"].reference})
    survivor = world.referrals["solace"].survivor
    amara = client_for("amara").get(case).content.decode()
    assert reverse("rights:survivor", args=[survivor.public_id]) in amara
    assert reverse("rights:rectify", args=[survivor.public_id]) in amara
    alice = client_for("alice").get(case).content.decode()
    assert reverse("rights:rectify", args=[survivor.public_id]) in alice
    assert "Subject access and erasure requests" not in alice
    hana = client_for("hana").get(referral).content.decode()
    assert reverse("rights:rectify", args=[world.referrals["triage"].survivor.public_id]) in hana


def test_a_manager_of_two_organisations_answers_for_the_one_that_holds_her_records(world, client_for):
    from carehub.accounts.models import Role
    from tests import factories as f

    f.MembershipFactory(user=world.users["amara"], organisation=world.orgs["sistah"], role=Role.SERVICE_MANAGER)
    amara = client_for("amara")
    survivor = world.referrals["sistah"].survivor
    assert amara.get(reverse("rights:survivor", kwargs={"public_id": survivor.public_id})).status_code == 200
    assert _open(amara, survivor).status_code == 302
    assert SubjectAccessRequest.objects.get().organisation == world.orgs["sistah"]
    sealed = world.referrals["sealed"].survivor
    assert amara.get(reverse("rights:survivor", kwargs={"public_id": sealed.public_id})).status_code == 404
