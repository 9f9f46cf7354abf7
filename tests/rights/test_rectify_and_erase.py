"""Correcting her details leaves no old value anywhere but as the fact of a change; erasure on request is decided
with a ground, refused leaves her records, and carried out leaves her identity unreadable through every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from carehub.audit.models import AuditEvent, EventType
from carehub.people.models import DataKey, LinkageRecord
from carehub.retention import services as retention_services
from carehub.rights import services
from carehub.rights.models import ErasureGround, ErasureRequest, ErasureStatus, SubjectAccessRequest
from tests.rights.helpers import hub_manager, second_manager, with_records

OLD_FAMILY = "Solacemarker"
NEW_FAMILY = "Rectifiedname"


def _rectify_form(survivor, **changes) -> dict:
    identity = survivor.identity
    data = {
        "given_name": identity.given_name,
        "family_name": identity.family_name,
        "known_as": identity.known_as,
        "phone": identity.phone,
        "email": identity.email,
        "address": identity.address,
        "postcode": identity.postcode,
        "date_of_birth_day": identity.date_of_birth.day,
        "date_of_birth_month": identity.date_of_birth.month,
        "date_of_birth_year": identity.date_of_birth.year,
        "ethnicity": survivor.ethnicity,
        "reason": "Her details were recorded wrongly",
    }
    data.update(changes)
    return data


def _every_stored_value() -> str:
    """Every text and byte value in every table of the database, as one string to search."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the database itself)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str):
                        found.append(value)
                    elif isinstance(value, (bytes, memoryview)):
                        found.append(bytes(value).decode("latin-1"))
                    elif isinstance(value, (dict, list)):
                        found.append(repr(value))
    return "\n".join(found)


def test_a_correction_leaves_the_old_value_nowhere_and_the_trail_only_the_names_of_what_changed(world, client_for):
    survivor = world.referrals["solace"].survivor
    old_phone = survivor.identity.phone
    keys_before = LinkageRecord.objects.get(survivor=survivor).family
    amara = client_for("amara")
    url = reverse("rights:rectify", kwargs={"public_id": survivor.public_id})
    response = amara.post(
        url, _rectify_form(survivor, family_name=NEW_FAMILY, phone="07700 900111", ethnicity="white_irish")
    )
    assert response.status_code == 302
    survivor.refresh_from_db()
    survivor.__dict__.pop("_identity_cache", None)
    assert (survivor.identity.family_name, survivor.identity.phone, survivor.ethnicity) == (
        NEW_FAMILY,
        "07700 900111",
        "white_irish",
    )
    assert LinkageRecord.objects.get(survivor=survivor).family != keys_before  # she is matched by her real name now
    event = AuditEvent.objects.get(event_type=EventType.SURVIVOR_RECTIFIED)
    assert event.changes == {"identity_fields": ["family_name", "phone"], "monitoring_fields": ["ethnicity"]}
    assert event.reason == "Her details were recorded wrongly"
    stored = _every_stored_value()
    for old in (OLD_FAMILY, old_phone, NEW_FAMILY):
        assert old not in stored, old  # sealed before and after: neither value is ever in the clear
    trail = "\n".join(repr((e.changes, e.reason)) for e in AuditEvent.objects.all())
    assert "black_african" not in trail and "white_irish" not in trail


def test_a_correction_that_changes_nothing_writes_nothing(world):
    from carehub.people import services as people_services

    survivor = world.referrals["solace"].survivor
    changed = people_services.survivor_rectify(
        actor=world.users["amara"], survivor=survivor, identity=survivor.identity, monitoring={}, reason="checked"
    )
    assert changed == []
    assert not AuditEvent.objects.filter(event_type=EventType.SURVIVOR_RECTIFIED).exists()


@pytest.mark.parametrize(
    ("persona", "record", "allowed"),
    [
        ("alice", "solace", True),  # her caseworker
        ("amara", "solace", True),
        ("hana", "triage", True),  # the hub, unsealed
        ("hana", "sealed", False),
        ("bola", "solace", False),  # another service
        ("ines", "sealed", True),
        ("percy", "triage", False),
        ("pete", "triage", False),  # police, given a content role by mistake
        ("adam", "solace", False),
        ("cora", "solace", False),
    ],
)
def test_who_may_correct_her_details(world, client_for, persona, record, allowed):
    survivor = world.referrals[record].survivor
    response = client_for(persona).get(reverse("rights:rectify", kwargs={"public_id": survivor.public_id}))
    assert response.status_code == (200 if allowed else 404)
    assert (world.marker(record) in response.content.decode()) == allowed


def _erasure(world, client, key="solace"):
    survivor = world.referrals[key].survivor
    url = reverse("rights:erasure_open", kwargs={"public_id": survivor.public_id})
    response = client.post(url, {"received_on_day": 2, "received_on_month": 3, "received_on_year": 2026})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ErasureRequest.objects.get(survivor=survivor)


def test_a_refused_erasure_leaves_her_records(world, client_for):
    amara = client_for("amara")
    second_manager(world)
    with_records(world)
    request = _erasure(world, amara)
    url = reverse("rights:erasure", kwargs={"public_id": request.public_id})
    response = client_for("amelia").post(
        url, {"decision": "refuse", "ground": ErasureGround.SAFEGUARDING, "explanation": "children"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ErasureStatus.REFUSED
    assert amara.post(reverse("rights:erasure_carry_out", kwargs={"public_id": request.public_id})).status_code == 302
    survivor = world.referrals["solace"].survivor
    survivor.refresh_from_db()
    assert not survivor.is_erased and DataKey.objects.get(pk=survivor.data_key_id).wrapped
    case = reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id})
    assert world.marker("solace") in amara.get(case).content.decode()
    decided = AuditEvent.objects.get(event_type=EventType.ERASURE_DECIDED)
    assert decided.changes == {"decision": "refused", "ground": "safeguarding"}
    assert not AuditEvent.objects.filter(event_type=EventType.SURVIVOR_ERASED).exists()


def test_a_ground_must_match_the_decision(world):
    amara = world.users["amara"]
    request = services.erasure_request(
        actor=amara,
        survivor=world.referrals["solace"].survivor,
        organisation=world.orgs["solace"],
        received_on=dt.date(2026, 3, 2),
    )
    with pytest.raises(services.ServiceError, match="That ground is for refusing"):
        services.erasure_decide(
            actor=second_manager(world), request=request, approve=True, ground=ErasureGround.SAFEGUARDING
        )
    with pytest.raises(services.ServiceError):
        services.erasure_carry_out(actor=amara, request=request)  # not approved


def test_the_manager_who_recorded_a_request_cannot_decide_it(world, client_for):
    """Four eyes: amara records her request; amara is told another manager must decide it, and cannot; amelia, the
    service's other manager, can."""
    amara = client_for("amara")
    second_manager(world)
    request = _erasure(world, amara)
    url = reverse("rights:erasure", kwargs={"public_id": request.public_id})
    page = amara.get(url).content.decode()
    assert "another manager of Quaymarsh Women&#x27;s Service must decide it" in page
    assert "Record the decision" not in page
    response = amara.post(url, {"decision": "approve", "ground": ErasureGround.NO_LONGER_NEEDED})
    assert response.status_code == 400
    assert "You recorded this request, so another manager must decide it" in response.content.decode()
    request.refresh_from_db()
    assert request.status == ErasureStatus.PENDING
    assert not AuditEvent.objects.filter(event_type=EventType.ERASURE_DECIDED).exists()
    assert "Record the decision" in client_for("amelia").get(url).content.decode()
    response = client_for("amelia").post(url, {"decision": "approve", "ground": ErasureGround.NO_LONGER_NEEDED})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.requested_by) == (
        ErasureStatus.APPROVED, world.users["amelia"], world.users["amara"]
    )  # fmt: skip


def test_an_approved_erasure_carried_out_leaves_her_identity_unreadable_through_every_page(world, client_for):
    hub_manager(world)
    amara = client_for("amara")
    with_records(world)
    # A pack released before she asked to be erased goes with her.
    from tests.rights.test_subject_access import _released

    sar = _released(world, amara)
    request = _erasure(world, amara)
    url = reverse("rights:erasure", kwargs={"public_id": request.public_id})
    second_manager(world)
    assert (
        client_for("amelia").post(url, {"decision": "approve", "ground": ErasureGround.NO_LONGER_NEEDED}).status_code
        == 302
    )
    assert amara.post(reverse("rights:erasure_carry_out", kwargs={"public_id": request.public_id})).status_code == 302
    request.refresh_from_db()
    assert request.status == ErasureStatus.CARRIED_OUT
    survivor = world.referrals["solace"].survivor
    marker = world.marker("solace")
    pages = {
        "hana": [reverse("referrals:detail", kwargs={"reference": world.referrals["solace"].reference})],
        "amara": [
            reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id}),
            reverse("rights:survivor", kwargs={"public_id": survivor.public_id}),
            reverse("rights:erasure", kwargs={"public_id": request.public_id}),
            reverse("rights:access", kwargs={"public_id": sar.public_id}),
        ],
        "alice": [reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id})],
        "hilda": [reverse("rights:survivor", kwargs={"public_id": survivor.public_id})],
    }
    for persona, urls in pages.items():
        client = client_for(persona)
        for page in urls:
            response = client.get(page)
            assert response.status_code == 200, page
            assert marker not in response.content.decode(), (persona, page)
    for kind in ("html", "json"):
        download = reverse("rights:access_download", kwargs={"public_id": sar.public_id, "kind": kind})
        assert amara.get(download).status_code == 404
    assert (
        client_for("alice").get(reverse("rights:rectify", kwargs={"public_id": survivor.public_id})).status_code == 404
    )
    # A new request for her cannot be opened either: there is nothing of her left to give.
    response = client_for("hilda").post(
        reverse("rights:access_open", kwargs={"public_id": survivor.public_id}),
        {"received_on_day": 3, "received_on_month": 3, "received_on_year": 2026},
    )
    assert response.status_code == 400
    assert SubjectAccessRequest.objects.count() == 1
    erased = AuditEvent.objects.get(event_type=EventType.SURVIVOR_ERASED)
    assert erased.reason == "erasure on request: " + ErasureGround.NO_LONGER_NEEDED.label


def test_a_legal_hold_stops_an_approved_erasure_until_it_is_lifted(world):
    """The retention app's hold, placed for real: erasure on request asks it, and carries out once it is lifted."""
    amara = world.users["amara"]
    survivor = world.referrals["solace"].survivor
    request = services.erasure_request(
        actor=amara, survivor=survivor, organisation=world.orgs["solace"], received_on=dt.date(2026, 3, 2)
    )
    services.erasure_decide(
        actor=second_manager(world), request=request, approve=True, ground=ErasureGround.NO_LONGER_NEEDED
    )
    hold = retention_services.legal_hold_place(actor=amara, survivor=survivor, reason="Family court proceedings")
    with pytest.raises(services.ServiceError, match="legal hold"):
        services.erasure_carry_out(actor=amara, request=request)
    survivor.refresh_from_db()
    assert not survivor.is_erased
    assert ErasureRequest.objects.get(pk=request.pk).status == ErasureStatus.APPROVED
    retention_services.legal_hold_lift(actor=amara, hold=hold, reason="Proceedings ended")
    services.erasure_carry_out(actor=amara, request=request)
    survivor.refresh_from_db()
    assert survivor.is_erased
