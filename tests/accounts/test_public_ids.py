"""No page, URL or form outside the independent service shows a sequential key of a table sealed activity writes.

Keys come from one sequence per table, shared by sealed and ordinary records: "Case 3443" then "Case 3446" tells a
service that two cases were made in between, perhaps on the sealed pathway. Records people see are named by their
public identifier (core.public_ids) instead. Three checks: no route takes such a key; the pages of every persona
outside the independent service show none; and those pages are the same whether or not sealed records were written
in between.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from carehub.accounts.models import Membership, User
from carehub.cases import services as case_services
from carehub.cases.models import Case
from carehub.core.public_ids import display
from carehub.directory.models import Service
from carehub.independent import services as independent_services
from carehub.people.models import Identity
from carehub.referrals import services as referral_services
from carehub.referrals.models import Channel, Consent, Offer, PolicePerpetrator, Referral
from tests.accounts.test_route_matrix import _without_csrf, all_patterns

# Routes that may keep an integer key: each names the table it keys, and the test below checks that sealed activity
# never writes that table.
INTEGER_KEYS = {
    "cases:caseworker_caseload": User,
    "directory:detail": Service,
    "administration:membership_toggle": Membership,
    "administration:membership_role": Membership,
    "accounts:membership_decision": Membership,
    "administration:user": User,
    "administration:membership_add": User,
    "administration:second_factor_reset": User,
    "administration:invitation_send": User,
    "service_administration:edit": Service,
    "directory:capacity": Service,
    "commissioning:service": Service,
}

# What a sequential key looks like in a page: in a URL, as a case's name, or in a hidden field that names a record.
KEY_SHAPES = [
    re.compile(r"/(?:cases|offers|consents|goals)/\d+/"),
    re.compile(
        r"\b[Cc]ase \d+\b(?!-)"
    ),  # not the first group of a public id that happens to be digits: "Case 9920-K3QM-9XD2"
    re.compile(r'name="(?:decision|outcome-complaint|consent|goal|offer|case)" value="\d+"'),
]


@pytest.fixture
def clock(monkeypatch):
    """Time that moves a microsecond per reading from a fixed instant: the same pages on every run, rows in order."""
    ticks = itertools.count()
    start = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(microseconds=next(ticks)))


def sealed_activity(world) -> None:
    """What the independent service writes for one survivor: a sealed referral (and its case, by the sealed pathway),
    consents, an allocation, a goal, a contact, a withdrawn consent and a complaint."""
    referral, _ = referral_services.referral_create(
        actor=world.users["percy"],
        organisation=world.orgs["met"],
        request=referral_services.IntakeRequest(
            channel=Channel.PROFESSIONAL,
            identity=Identity(given_name="Selina", family_name="Hiddenmarker", date_of_birth=dt.date(1988, 2, 3)),
            details=referral_services.ReferralDetails(perpetrator_police=PolicePerpetrator.SERVING, needs=["idva"]),
            sharing=[referral_services.SharingConsent(world.orgs["ias"])],
        ),
    )
    case = Case.objects.get(referral=referral)
    assert case.sealed
    case_services.case_allocate(
        actor=world.users["ivan"], case=case, caseworker=world.users["ines"], expected_version=case.version
    )
    case.refresh_from_db()
    ines = world.users["ines"]
    case_services.goal_create(actor=ines, case=case, text="Somewhere he cannot find her")
    case_services.contact_create(actor=ines, case=case, kind="call", on=timezone.localdate(), minutes=20)
    sharing = referral.consents.get(kind="sharing")
    referral_services.consent_revoke(actor=ines, consent=sharing, reason="She asked us to stop")
    independent_services.complaint_record(
        actor=ines, case=case, made_to="professional_standards", made_on=timezone.localdate()
    )


def ordinary_referral(world, given_name: str, family_name: str) -> Referral:
    """A self-referral the hub has triaged and offered to Quaymarsh IDVA, with her consent to share with Kestrel."""
    referral, _ = referral_services.referral_create(
        actor=None,
        organisation=None,
        request=referral_services.IntakeRequest(
            channel=Channel.SELF,
            identity=Identity(given_name=given_name, family_name=family_name, date_of_birth=dt.date(1990, 6, 7)),
            details=referral_services.ReferralDetails(needs=["idva"]),
            sharing=[referral_services.SharingConsent(world.orgs["sistah"])],
        ),
    )
    hub = world.users["hana"]
    referral_services.referral_triage(
        actor=hub,
        referral=referral,
        expected_version=referral.version,
        triage=referral_services.TriageInput(answers={n: "no" for n in range(1, 25)}),
    )
    referral.refresh_from_db()
    referral_services.offer_create(
        actor=hub,
        referral=referral,
        service=world.services["solace"],
        expected_version=referral.version,
        hub_reason="Local IDVA service",
    )
    return referral


def ordinary_activity(world) -> dict[str, str]:
    """Quaymarsh's next case (accepted, allocated to alice, a goal) and a referral waiting in its inbox.

    Returns every identifier made here that pages may show, by a label that is the same on every run.
    """
    later = ordinary_referral(world, "Laura", "Latermarker")
    case = case_services.case_open_from_offer(actor=world.users["amara"], offer=later.offers.get())
    case_services.case_allocate(
        actor=world.users["amara"], case=case, caseworker=world.users["alice"], expected_version=case.version
    )
    case.refresh_from_db()
    case_services.goal_create(actor=world.users["alice"], case=case, text="A new tenancy")
    pending = ordinary_referral(world, "Petra", "Pendingmarker")
    labels = {
        "REFERRAL-LATER": later.reference,
        "REFERRAL-PENDING": pending.reference,
        "CASE-LATER": case.public_id,
        "GOAL-LATER": case.goals.get().public_id,
        "OFFER-LATER": later.offers.get().public_id,
        "OFFER-PENDING": pending.offers.get().public_id,
        # Her record's own public id: the links to her rights pages (rights.templatetags) name her by it.
        "SURVIVOR-LATER": later.survivor.public_id,
        "SURVIVOR-PENDING": pending.survivor.public_id,
    }
    for referral, name in ((later, "LATER"), (pending, "PENDING")):
        for n, consent in enumerate(referral.consents.order_by("recorded_at", "kind")):
            labels[f"CONSENT-{name}-{n}"] = consent.public_id
    return labels


def pages_to_read(world, labels: dict[str, str]) -> dict[str, list[str]]:
    """The pages of the case list, caseloads, waiting list, cases, inbox, offers and referrals (with consents), for
    the personas outside the independent service who work with them."""
    case = reverse("cases:detail", kwargs={"public_id": labels["CASE-LATER"]})
    old_case = reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id})
    offer = reverse("offers:offer", kwargs={"public_id": labels["OFFER-PENDING"]})
    later, pending = (reverse("referrals:detail", args=[labels[k]]) for k in ("REFERRAL-LATER", "REFERRAL-PENDING"))
    solace = reverse("referrals:detail", args=[world.referrals["solace"].reference])
    lists = ["/home/", reverse("cases:list"), reverse("cases:caseload")]
    return {
        "alice": [*lists, case, old_case, later, solace],
        "amir": lists,
        "amara": [*lists, reverse("cases:waiting"), reverse("referrals:inbox"), offer, case, old_case, later, pending],
        "hana": ["/home/", reverse("referrals:queue"), later, pending],
        "bea": [*lists, reverse("cases:waiting"), reverse("referrals:inbox")],
        "bola": lists,
        "percy": [reverse("referrals:sent")],
        "cora": ["/home/"],
    }


def read(client_for, pages: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    seen = {}
    for persona, urls in pages.items():
        client = client_for(persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (persona, url, response.status_code)
            seen[persona, url] = _without_csrf(response.content).decode()
    return seen


def labelled(text: str, labels: dict[str, str]) -> str:
    """Each identifier made in the run replaced by its label, raw and as displayed, so two runs can be compared."""
    for label, value in labels.items():
        text = text.replace(value, label).replace(display(value), label)
    return text


def sealed_tables(world) -> set[type]:
    """The tables that sealed activity adds rows to, found by doing it (and undoing it)."""
    models = [m for m in apps.get_models() if m._meta.pk.get_internal_type() in {"AutoField", "BigAutoField"}]
    before = {m: m.objects.aggregate(top=Max("pk"))["top"] for m in models}
    written = set()
    with transaction.atomic():
        sealed_activity(world)
        written = {m for m in models if m.objects.aggregate(top=Max("pk"))["top"] != before[m]}
        transaction.set_rollback(True)
    return written


def test_no_route_takes_an_integer_key_of_a_table_that_sealed_activity_writes(world):
    written = sealed_tables(world)
    assert {Referral, Case, Consent}.issubset(written), "the sealed activity wrote too little to mean anything"
    integer_routes = {name for route, name, _ in all_patterns() if "<int:" in route}
    assert integer_routes <= set(INTEGER_KEYS), "a route takes an integer key: give the record a public id instead"
    assert not {INTEGER_KEYS[name] for name in integer_routes} & written


def test_no_page_outside_the_independent_service_shows_a_sequential_key(world, client_for, clock):
    labels = ordinary_activity(world)
    seen = read(client_for, pages_to_read(world, labels))
    for (persona, url), body in seen.items():
        for shape in KEY_SHAPES:
            assert not shape.search(body), (persona, url, shape.search(body).group(0))
    case_page = seen["alice", reverse("cases:detail", kwargs={"public_id": labels["CASE-LATER"]})]
    assert f"Case {display(labels['CASE-LATER'])}" in case_page
    assert reverse("cases:goal_update", args=[labels["CASE-LATER"], labels["GOAL-LATER"]]) in case_page
    referral_page = seen["alice", reverse("referrals:detail", args=[labels["REFERRAL-LATER"]])]
    assert f"/consents/{labels['CONSENT-LATER-1']}/withdraw/" in referral_page
    inbox = seen["amara", reverse("referrals:inbox")]
    assert reverse("offers:offer", kwargs={"public_id": labels["OFFER-PENDING"]}) in inbox


def run(world, client_for, *, with_sealed: bool) -> dict[tuple[str, str], str]:
    """Sealed activity (or none), then the same ordinary activity; the pages read, with the run's identifiers
    labelled; then all of it undone, so the next run starts from the same world."""
    savepoint = transaction.savepoint()
    try:
        if with_sealed:
            sealed_activity(world)
        labels = ordinary_activity(world)
        seen = read(client_for, pages_to_read(world, labels))
        return {(persona, labelled(url, labels)): labelled(body, labels) for (persona, url), body in seen.items()}
    finally:
        transaction.savepoint_rollback(savepoint)


def test_pages_outside_the_independent_service_do_not_reveal_sealed_records_made_in_between(world, client_for, clock):
    without = run(world, client_for, with_sealed=False)
    with_sealed = run(world, client_for, with_sealed=True)
    assert with_sealed.keys() == without.keys()
    for key, body in without.items():
        assert with_sealed[key] == body, f"{key} changed because sealed records were written"


def test_a_public_id_is_read_back_in_any_case_and_with_dashes(world, client_for):
    case = world.cases["solace"]
    spoken = display(case.public_id).lower()
    assert client_for("alice").get(f"/cases/{spoken}/").status_code == 200
    assert client_for("alice").get(f"/cases/{case.pk}/").status_code == 404
    assert client_for("bola").get(f"/cases/{case.public_id}/").status_code == 404


def test_a_malformed_public_id_answers_as_a_missing_record(world, client_for):
    alice = client_for("alice")
    missing = _without_csrf(alice.get("/cases/ZZZZZZZZZZZZ/").content)
    for bad in ("ZZZZ", "Z" * 40, "7K3Q-M9XD-2PR!"):  # a NUL is refused at the edge with 400 (tests/core/test_edge.py)
        response = alice.get(f"/cases/{bad}/")
        assert response.status_code == 404
        assert _without_csrf(response.content) == missing


def test_offers_outside_scope_answer_404_like_missing_ones(world, client_for):
    referral = ordinary_referral(world, "Olive", "Offermarker")
    offer = Offer.objects.get(referral=referral)
    amara, bea = client_for("amara"), client_for("bea")
    assert amara.get(f"/referrals/offers/{offer.public_id}/").status_code == 200
    hidden = bea.get(f"/referrals/offers/{offer.public_id}/")
    missing = bea.get("/referrals/offers/ZZZZZZZZZZZZ/")
    assert hidden.status_code == missing.status_code == 404
    assert _without_csrf(hidden.content) == _without_csrf(missing.content)
