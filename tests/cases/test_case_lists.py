"""Case lists and caseloads: a short, safe label per case (her name only to the worker holding her case), the risk,
the last contact and the next action, read for the whole page at once and audited row by row."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carehub.audit.models import Action, AuditEvent, SealedAuditEvent
from carehub.cases import listing
from carehub.cases.models import CaseStatus, Contact, SafetyPlan
from carehub.marac.models import MaracAction
from tests import factories as f

TODAY = dt.date(2026, 12, 1)


def _short(world, key: str) -> str:
    identity = world.referrals[key].survivor.identity
    return f"{identity.given_name[0]}{identity.family_name[0]} ({identity.date_of_birth.year})"


def _plan(case) -> None:
    SafetyPlan.objects.create(case=case, revision=1, plan_sealed=b"-", recorded_at=timezone.now())


def _contact(case, on: dt.date) -> None:
    Contact.objects.create(case=case, kind="call", on=on, minutes=10, recorded_at=timezone.now())


def test_her_name_only_to_the_worker_holding_her_case(world, client_for):
    marker, short = world.marker("solace"), _short(world, "solace")
    own = client_for("alice").get("/cases/caseload/").content.decode()
    assert marker in own  # alice works with her by name
    for page in (
        client_for("amara").get("/cases/").content.decode(),
        client_for("amara").get(f"/cases/caseload/{world.users['alice'].pk}/").content.decode(),
    ):
        assert short in page and marker not in page


def test_every_label_shown_is_an_audited_read(world, client_for):
    client_for("amara").get("/cases/")
    event = AuditEvent.objects.get(action=Action.LIST)
    case = world.cases["solace"]
    assert (event.object_id, event.survivor_id, event.changes) == (
        case.public_id,
        case.survivor_id,
        {"label": "initials"},
    )
    client_for("ines").get("/cases/caseload/")
    sealed = SealedAuditEvent.objects.get(action=Action.LIST)
    assert (sealed.object_id, sealed.changes) == (world.cases["sealed"].public_id, {"label": "name"})
    assert AuditEvent.objects.filter(action=Action.LIST).count() == 1  # nothing about her on the hub's chain


def test_last_contact_and_next_action_on_the_page(world, client_for):
    case = world.cases["solace"]
    page = client_for("alice").get("/cases/caseload/").content.decode()
    assert "None yet" in page and "Agree a safety plan" in page
    _plan(case)
    _contact(case, timezone.localdate() - dt.timedelta(days=30))
    page = client_for("alice").get("/cases/caseload/").content.decode()
    last = timezone.localdate() - dt.timedelta(days=30)
    assert f"{last.day} {last:%b %Y}" in page and "Contact her by" in page and "Overdue" in page


def _row(world, user: str = "alice"):
    case = world.cases["solace"]
    (row,) = listing.case_rows(user=world.users[user], cases=[case], today=TODAY)
    return row


def test_the_next_action_is_the_first_thing_due(world, settings):
    settings.CAREHUB_NO_CONTACT_DAYS = 14
    case = world.cases["solace"]
    assert _row(world).next_action == listing.NextAction("Agree a safety plan")
    _plan(case)
    _contact(case, TODAY - dt.timedelta(days=10))
    assert _row(world).next_action == listing.NextAction("Contact her by", TODAY + dt.timedelta(days=4))
    assert _row(world).last_contact == TODAY - dt.timedelta(days=10)
    marac = f.MaracReferralFactory(referral=case.referral, meeting_date=TODAY + dt.timedelta(days=2))
    assert _row(world).next_action == listing.NextAction("MARAC meeting on", TODAY + dt.timedelta(days=2))
    MaracAction.objects.create(
        marac=marac, text_sealed=b"-", owner="Housing", due_on=TODAY - dt.timedelta(days=1), created_at=timezone.now()
    )
    assert _row(world).next_action == listing.NextAction("MARAC action due", TODAY - dt.timedelta(days=1), True)
    case.status = CaseStatus.WAITING
    case.save()
    assert _row(world).next_action == listing.NextAction("Allocate a caseworker")


def _fill(world, n: int) -> None:
    """n more open cases at Quaymarsh held by alice, each with everything a row reads."""
    for _ in range(n):
        referral = f.ReferralFactory(routed_service=world.services["solace"])
        case = f.CaseFactory(referral=referral, service=world.services["solace"], caseworker=world.users["alice"])
        _plan(case)
        _contact(case, TODAY)
        f.MaracReferralFactory(referral=referral, meeting_date=TODAY + dt.timedelta(days=3))


def _waiting(world) -> None:
    f.CaseFactory(
        referral=f.ReferralFactory(routed_service=world.services["solace"]),
        service=world.services["solace"],
        status=CaseStatus.WAITING,
        opened_at=None,
    )


def test_a_longer_list_costs_no_more_queries(world, client_for, django_assert_num_queries):
    """No query per row: a page with one case and the same page with several cost the same number of queries."""
    _waiting(world)
    urls = ["/cases/", "/cases/caseload/", f"/cases/caseload/{world.users['alice'].pk}/", "/cases/waiting/"]
    clients = {url: client_for("alice" if url == "/cases/caseload/" else "amara") for url in urls}
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert clients[url].get(url).status_code == 200
        counts[url] = len(queries)
    _fill(world, 8)
    for _ in range(3):
        _waiting(world)
    for url in urls:
        with django_assert_num_queries(counts[url]):
            body = clients[url].get(url).content.decode()
        assert body.count("Case ") >= 4, url
