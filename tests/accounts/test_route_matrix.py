"""Every URL pattern, every persona: nothing leaks, and nothing is reachable without a policy decision."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from carehub.api import api
from carehub.cases import services as case_services
from carehub.coproduction.models import Point
from tests.coproduction.helpers import CONFIDENTIAL_MARKER
from tests.coproduction.helpers import records as coproduction_records
from tests.world import MAY_OPEN_MARAC, MAY_SEE_CONTENT, PERSONAS

MAY_OPEN_CASE = {
    "solace": {"alice", "amara"},
    "sistah": {"bola", "bea"},
    "sealed": {"ines", "ivan"},
}


def all_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern


# Who answers her subject access and erasure requests, by hand from the brief: the manager of the organisation that
# holds her records, and the hub's manager (hilda) for every unsealed referral (the hub triages them all); a sealed
# survivor's, the independent service's alone.
MAY_ANSWER_FOR = {"triage": {"hilda"}, "solace": {"amara", "hilda"}, "sistah": {"bea", "hilda"}, "sealed": {"ivan"}}
# Who opens a request, by the organisation answering it: its own managers (rights_urls makes one request of each
# kind per key: Quaymarsh's, Kestrel Rise's and the independent service's for their own women, the hub's for the
# woman in triage).
MAY_OPEN_REQUEST = {"solace": {"amara"}, "sistah": {"bea"}, "sealed": {"ivan"}, "hub:triage": {"hilda"}}

MISSING_ID = "ZZZZZZZZZZZZ"  # a well-formed public identifier that no record has


# For each route that takes parameters: the concrete URLs to try, each tagged with the world record it opens.
def parametrised_urls(world) -> dict[str, list[tuple[str, str | None]]]:
    return {
        "commissioning:download": [
            (reverse("commissioning:download", kwargs={"kind": k}), None) for k in ("report", "csv", "json")
        ],
        "referrals:detail": [
            (reverse("referrals:detail", kwargs={"reference": r.reference}), key) for key, r in world.referrals.items()
        ]
        + [(reverse("referrals:detail", kwargs={"reference": "CH-ZZZZ-ZZZZ"}), None)],
        "referrals:triage": [
            (reverse("referrals:triage", kwargs={"reference": r.reference}), key) for key, r in world.referrals.items()
        ],
        "referrals:route": [
            (reverse("referrals:route", kwargs={"reference": r.reference}), key) for key, r in world.referrals.items()
        ],
        "offers:offer": [(reverse("offers:offer", kwargs={"public_id": o.public_id}), None) for o in world.offers]
        + [(reverse("offers:offer", kwargs={"public_id": MISSING_ID}), None)],
        "referrals:consent_withdraw": [
            (reverse("referrals:consent_withdraw", kwargs={"reference": r.reference, "consent_id": MISSING_ID}), key)
            for key, r in world.referrals.items()
        ],
        **{
            name: [(reverse(name, kwargs={"reference": r.reference}), key) for key, r in world.referrals.items()]
            for name in ("repeats:decide", "repeats:undo")
        },
        "marac:detail": [
            (reverse("marac:detail", kwargs={"public_id": m.public_id}), key) for key, m in world.maracs.items()
        ]
        + [(reverse("marac:detail", kwargs={"public_id": MISSING_ID}), None)],
        **{
            name: [(reverse(name, kwargs={"public_id": c.public_id}), key) for key, c in world.cases.items()]
            for name in ("independent:case", "independent:risk")
        },
        "cases:detail": [
            (reverse("cases:detail", kwargs={"public_id": c.public_id}), key) for key, c in world.cases.items()
        ]
        + [(reverse("cases:detail", kwargs={"public_id": MISSING_ID}), None)],
        **{
            name: [(reverse(name, kwargs={"public_id": c.public_id}), key) for key, c in world.cases.items()]
            + [(reverse(name, kwargs={"public_id": MISSING_ID}), None)]
            for name in (
                "cases:allocate",
                "cases:transfer",
                "cases:goal_add",
                "cases:safety_plan",
                "cases:contact_add",
                "cases:document_add",
                "cases:outcomes_start",
                "cases:close",
                "cases:closure_decide",
                "cases:reopen",
                "cases:refer_on",
            )
        },
        "cases:goal_update": [
            (reverse("cases:goal_update", kwargs={"public_id": c.public_id, "goal_id": MISSING_ID}), key)
            for key, c in world.cases.items()
        ],
        "cases:caseworker_caseload": [
            (reverse("cases:caseworker_caseload", kwargs={"user_id": u.pk}), None) for u in world.users.values()
        ]
        + [(reverse("cases:caseworker_caseload", kwargs={"user_id": 999_999}), None)],
        "notifications:open": [(reverse("notifications:open", kwargs={"public_id": "ZZZZZZZZZZZZ"}), None)],
        "directory:detail": [(reverse("directory:detail", kwargs={"pk": s.pk}), None) for s in world.services.values()],
        "api:referral_status": [
            (reverse("api:referral_status", kwargs={"reference": r.reference}), key)
            for key, r in world.referrals.items()
        ],
        "administration:organisation": [
            (reverse("administration:organisation", kwargs={"slug": o.slug}), None) for o in world.orgs.values()
        ],
        "administration:membership_toggle": [
            (reverse("administration:membership_toggle", kwargs={"pk": m.pk}), None)
            for u in world.users.values()
            for m in u.memberships.all()
        ][:2],
        "administration:organisation_edit": [
            (reverse("administration:organisation_edit", kwargs={"slug": o.slug}), None) for o in world.orgs.values()
        ],
        **{
            name: [(reverse(name, kwargs={"pk": u.pk}), None) for u in world.users.values()]
            + [(reverse(name, kwargs={"pk": 999_999}), None)]
            for name in (
                "administration:user",
                "administration:membership_add",
                "administration:second_factor_reset",
                "administration:invitation_send",
            )
        },
        "administration:membership_role": [
            (reverse("administration:membership_role", kwargs={"pk": m.pk}), None)
            for u in world.users.values()
            for m in u.memberships.all()
        ][:2],
        "administration:api_key_revoke": [
            (reverse("administration:api_key_revoke", kwargs={"prefix": "0123456789ab"}), None)
        ],
        **{
            name: [(reverse(name, kwargs={"pk": s.pk}), None) for s in world.services.values()]
            + [(reverse(name, kwargs={"pk": 999_999}), None)]
            for name in ("service_administration:edit", "directory:capacity", "commissioning:service")
        },
        # A role awaiting confirmation: none is pending in the world, so every persona meets a 404 (pending ones are
        # walked in tests/accounts/test_independent_four_eyes.py).
        "accounts:membership_decision": [
            (reverse("accounts:membership_decision", kwargs={"pk": m.pk}), None)
            for m in world.users["ines"].memberships.all()
        ]
        + [(reverse("accounts:membership_decision", kwargs={"pk": 999_999}), None)],
        # An invitation link that was never issued: the same page as a spent or expired one.
        "accounts:invitation": [(reverse("accounts:invitation", kwargs={"token": "not-a-real-invitation"}), None)],
        "equality:detail": [(reverse("equality:detail", kwargs={"name": n}), None) for n in ("hub", "nope")],
        "equality:download": [
            (reverse("equality:download", kwargs={"name": n, "kind": k}), None)
            for n in ("hub", "nope")
            for k in ("report", "csv", "json")
        ],
        "equality:chart_csv": [
            (reverse("equality:chart_csv", kwargs={"name": n, "metric": m, "characteristic": c}), None)
            for n in ("hub", "nope")
            for m, c in (("offered-by-and-for", "ethnicity"), ("nope", "nope"))
        ],
        **{
            name: [(reverse(name, kwargs={"public_id": r.survivor.public_id}), None) for r in world.referrals.values()]
            + [(reverse(name, kwargs={"public_id": "ZZZZZZZZZZZZ"}), None)]
            for name in ("audit:survivor_access", "audit:sealed_survivor_access")
        },
        **coproduction_urls(world),
        "retention:lift": [(reverse("retention:lift", kwargs={"public_id": MISSING_ID}), None)],
        **rights_urls(world),
        "duration:download": [
            (reverse("duration:download", kwargs={"kind": k}), None) for k in ("report", "csv", "json")
        ],
    }


def coproduction_urls(world) -> dict[str, list[tuple[str, str | None]]]:
    """Co-production's pages, on a real commitment (with an assessment, a consultation, an open and a confidential
    answer, an action) and on a missing one."""
    made = coproduction_records(world)
    consultation = made.consultations.get()
    point = Point.objects.filter(response__invitation__consultation=consultation).first()
    c, a, act = made.public_id, made.assessments.get().public_id, made.actions.get().public_id
    urls = {
        name: [(reverse(name, args=[c]), None), (reverse(name, args=[MISSING_ID]), None)]
        for name in (
            "coproduction:commitment",
            "coproduction:assessment_create",
            "coproduction:consultation_open",
            "coproduction:action_add",
            "coproduction:public_commitment",
        )
    }
    urls["coproduction:assessment_sign_off"] = [
        (reverse("coproduction:assessment_sign_off", args=[c, a]), None),
        (reverse("coproduction:assessment_sign_off", args=[c, MISSING_ID]), None),
    ]
    urls["coproduction:action_update"] = [
        (reverse("coproduction:action_update", args=[c, act]), None),
        (reverse("coproduction:action_update", args=[c, MISSING_ID]), None),
    ]
    for name in ("coproduction:consultation", "coproduction:consultation_answer"):
        urls[name] = [(reverse(name, args=[consultation.public_id]), None), (reverse(name, args=[MISSING_ID]), None)]
    urls["coproduction:point_decide"] = [
        (reverse("coproduction:point_decide", args=[consultation.public_id, point.public_id]), None),
        (reverse("coproduction:point_decide", args=[consultation.public_id, MISSING_ID]), None),
    ]
    urls["coproduction:feedback_offer"] = [
        (reverse("coproduction:feedback_offer", args=[case.public_id]), key) for key, case in world.cases.items()
    ] + [(reverse("coproduction:feedback_offer", args=[MISSING_ID]), None)]
    urls["coproduction:feedback_start"] = [(reverse("coproduction:feedback_start", args=["not-a-token"]), None)]
    return urls


def rights_urls(world) -> dict[str, list[tuple[str, str | None]]]:
    """Her rights' pages, for every world survivor and on requests of their own: a subject access request (released,
    so its downloads answer) and an erasure request for each record, each made by a manager who answers for her, and
    a missing one."""
    from carehub.rights import services as rights

    when = dt.date(2026, 3, 2)
    answering = {
        "solace": ("amara", "solace"),
        "sistah": ("bea", "sistah"),
        "sealed": ("ivan", "ias"),
        "hub:triage": ("hilda", "hub"),
    }
    access, erasure = {}, {}
    for key, (manager, org) in answering.items():
        actor, organisation = world.users[manager], world.orgs[org]
        survivor = world.referrals[key.removeprefix("hub:")].survivor
        sar = rights.subject_access_open(actor=actor, survivor=survivor, organisation=organisation, received_on=when)
        rights.subject_access_review(actor=actor, request=sar, passages=[], withheld=[], redact_staff_names=False)
        access[key] = rights.subject_access_release(actor=actor, request=sar).public_id
        erasure[key] = rights.erasure_request(
            actor=actor, survivor=survivor, organisation=organisation, received_on=when
        ).public_id
    survivors = [(r.survivor.public_id, key) for key, r in world.referrals.items()] + [(MISSING_ID, None)]
    urls = {
        name: [(reverse(name, args=[public_id]), key) for public_id, key in survivors]
        for name in ("rights:survivor", "rights:access_open", "rights:erasure_open", "rights:rectify")
    }
    for name in ("rights:access", "rights:access_extend", "rights:access_review", "rights:access_release"):
        urls[name] = [(reverse(name, args=[p]), key) for key, p in access.items()] + [
            (reverse(name, args=[MISSING_ID]), None)
        ]
    urls["rights:access_download"] = [
        (reverse("rights:access_download", args=[p, kind]), key)
        for key, p in [*access.items(), (None, MISSING_ID)]
        for kind in ("html", "json", "pdf")
    ]
    for name in ("rights:erasure", "rights:erasure_carry_out"):
        urls[name] = [(reverse(name, args=[p]), key) for key, p in erasure.items()] + [
            (reverse(name, args=[MISSING_ID]), None)
        ]
    return urls


# django-ninja's own routes: the schema (public by design) and its root, which serves nothing.
NINJA_OWN_ROUTES = {"api:openapi-json", "api:api-root"}


def api_operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


def test_every_route_declares_an_access_rule():
    """A new view without @policy.route(...) fails here before it can leak anything."""
    missing = [
        route
        for route, name, pattern in all_patterns()
        if not name.startswith("api:") and not hasattr(pattern.callback, "access_rule")
    ]
    assert missing == []


def test_every_api_operation_declares_an_access_rule():
    operations = list(api_operations())
    assert operations, "the API has no operations: the walk itself is broken"
    missing = [path for path, op in operations if not hasattr(op.view_func, "access_rule")]
    assert missing == []
    api_names = {name for _, name, _ in all_patterns() if name.startswith("api:")}
    assert api_names - NINJA_OWN_ROUTES, "API routes are not mounted"


def test_every_parametrised_route_is_in_the_matrix(world):
    known = parametrised_urls(world)
    untested = [name for route, name, _ in all_patterns() if "<" in route and name not in known]
    assert untested == [], "add these routes to parametrised_urls() so the leak matrix covers them"


def urls_to_try(world):
    known = parametrised_urls(world)
    for route, name, _ in all_patterns():
        if "<" in route:
            yield from ((url, name, key) for url, key in known[name])
        else:
            yield reverse(name), name, None


@dataclass(frozen=True)
class Answer:
    """What one GET of the walk answered: the URL tried (its route's name, the world record it opens) and the page."""

    url: str
    name: str
    key: str | None
    status_code: int
    packed: bytes  # the body, compressed: a persona's walk is about 390 pages, kept while the module runs

    @property
    def body(self) -> str:
        return zlib.decompress(self.packed).decode()


def _walk_every_url(world, client) -> list[Answer]:
    answers = []
    for url, name, key in urls_to_try(world):
        response = client.get(url)
        answers.append(Answer(url, name, key, response.status_code, zlib.compress(response.content, 1)))
    return answers


# A persona's walk of every URL, shared by the tests below that each walk the whole matrix as her (what she may see,
# immigration status, the refuge's address, the hub manager's row). Each of them GETs the same URLs in the same
# order, signed in afresh, from the module's shared world as built (every test rolls back to it, and
# tests/test_shared_world.py holds that), so each would be answered the same pages: the first of them to run walks
# and the others assert on what it was answered. A test with a world of its own (no shared world) walks for itself.
@pytest.fixture(scope="module")
def _walks_of_the_shared_world() -> dict[str | None, list[Answer]]:
    return {}


@pytest.fixture
def walk(world, client_for, _module_world, _walks_of_the_shared_world):
    from django.test import Client

    def answers(persona: str | None) -> list[Answer]:
        if _module_world is None:
            return _walk_every_url(world, client_for(persona) if persona else Client())
        if persona not in _walks_of_the_shared_world:
            _walks_of_the_shared_world[persona] = _walk_every_url(world, client_for(persona) if persona else Client())
        return _walks_of_the_shared_world[persona]

    return answers


@pytest.mark.parametrize("persona", [*PERSONAS, None])
def test_no_persona_sees_a_record_outside_its_scope(world, walk, persona):
    hidden_markers = {
        key: world.marker(key)
        for key, allowed in MAY_SEE_CONTENT.items()
        if persona not in allowed | MAY_ANSWER_FOR[key]  # a manager answering for her sees her on the rights pages
    }
    for response in walk(persona):
        url, name, key = response.url, response.name, response.key
        assert response.status_code in {200, 301, 302, 401, 404, 405}, (url, response.status_code)
        body = response.body
        for record, marker in hidden_markers.items():
            assert marker not in body, f"{persona} saw {record} at {url}"
        if persona is None:
            assert response.status_code in {200, 301, 302, 401, 404, 405}, url
            continue
        if name == "referrals:detail" and key:
            expected = 200 if persona in MAY_SEE_CONTENT[key] else 404
            assert response.status_code == expected, (persona, url)
        if name == "cases:detail" and key:
            expected = 200 if persona in MAY_OPEN_CASE[key] else 404
            assert response.status_code == expected, (persona, url)
        if name == "marac:detail":
            expected = 200 if key and persona in MAY_OPEN_MARAC[key] else 404
            assert response.status_code == expected, (persona, url)
        if key is None and name in {"referrals:detail", "cases:detail"}:
            assert response.status_code == 404
        if name == "rights:survivor":
            expected = 200 if key and persona in MAY_ANSWER_FOR[key] else 404
            assert response.status_code == expected, (persona, url)
        if name in {"rights:access", "rights:erasure"}:
            expected = 200 if key and persona in MAY_OPEN_REQUEST[key] else 404
            assert response.status_code == expected, (persona, url)


@pytest.mark.parametrize("persona", [p for p, (org, _) in PERSONAS.items() if org == "met"])
def test_police_users_never_see_immigration_status(walk, persona):
    for response in walk(persona):
        assert "Asylum seeker" not in response.body


def test_a_record_outside_scope_looks_exactly_like_a_missing_one(world, client_for):
    client = client_for("alice")
    hidden = client.get(reverse("referrals:detail", kwargs={"reference": world.referrals["sealed"].reference}))
    missing = client.get(reverse("referrals:detail", kwargs={"reference": "CH-ZZZZ-ZZZZ"}))
    assert hidden.status_code == missing.status_code == 404
    assert _without_csrf(hidden.content) == _without_csrf(missing.content)


def _without_csrf(body: bytes) -> bytes:
    """The CSRF token is masked afresh on every render; everything else must be byte for byte the same."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_anonymous_users_are_sent_to_sign_in_without_personal_data_in_the_url(world):
    from django.test import Client

    response = Client().get(reverse("cases:detail", kwargs={"public_id": world.cases["solace"].public_id}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert world.marker("solace") not in response["Location"]


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_a_refuge_address_appears_on_no_page_outside_its_organisation(world, walk, persona):
    address = world.services["refuge"].address
    own_org = PERSONAS[persona][0] == "solace"
    pages = [response.body for response in walk(persona)]
    assert any(address in page for page in pages) == own_org


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_offer_shows_her_identity_only_after_acceptance(world, client_for, persona):
    """Issue 12: before accepting, a service sees the decision facts; her name only once it has accepted."""
    from carehub.referrals import services

    referral = world.referrals["triage"]
    offer = services.offer_create(
        actor=world.users["hana"],
        referral=referral,
        service=world.services["solace"],
        expected_version=referral.version,
        hub_reason="matrix",
    )
    client = client_for(persona)
    urls = [
        reverse("offers:offer", kwargs={"public_id": offer.public_id}),
        reverse("referrals:detail", kwargs={"reference": referral.reference}),
    ]
    # The hub sees her on the referral page; the service it is offered to never before it accepts.
    for url, sees_before in zip(urls, ({""}, {"hana"}), strict=True):
        assert (world.marker("triage") in client.get(url).content.decode()) == (persona in sees_before), url
    case_services.case_open_from_offer(actor=world.users["amara"], offer=offer)
    offer_page = client.get(urls[0])
    assert (world.marker("triage") in offer_page.content.decode()) == (persona == "amara")


@pytest.mark.parametrize("persona", PERSONAS)
def test_her_safe_contact_is_shown_only_to_those_who_may_contact_her(world, client_for, persona):
    """Issue 12: the safe-contact panel (her safe word here) follows the same split as her identity: the hub on the
    referral page; the service only once it has accepted her, on the offer and on the case; nobody else, ever."""
    from carehub.referrals import services

    referral = world.referrals["triage"]
    referral.contact_sealed = referral.survivor.seal_for({"safe_contact": {"text_ok": True, "safe_word": "BLUEBELL"}})
    referral.save()
    offer = services.offer_create(
        actor=world.users["hana"],
        referral=referral,
        service=world.services["solace"],
        expected_version=referral.version,
        hub_reason="matrix",
    )
    client = client_for(persona)
    offer_url = reverse("offers:offer", kwargs={"public_id": offer.public_id})
    referral_url = reverse("referrals:detail", kwargs={"reference": referral.reference})
    assert ("BLUEBELL" in client.get(offer_url).content.decode()) is False
    assert ("BLUEBELL" in client.get(referral_url).content.decode()) == (persona == "hana")
    case = case_services.case_open_from_offer(actor=world.users["amara"], offer=offer)
    case_url = reverse("cases:detail", kwargs={"public_id": case.public_id})
    assert ("BLUEBELL" in client.get(offer_url).content.decode()) == (persona == "amara")
    assert ("BLUEBELL" in client.get(case_url).content.decode()) == (persona == "amara")
    for name in ("cases:contact_add", "cases:close", "cases:closure_decide"):
        page = client.get(reverse(name, kwargs={"public_id": case.public_id}), follow=True).content.decode()
        assert world.marker("triage") not in page or persona in {"amara", "hana"}, (persona, name)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_search_box_finds_no_record_outside_scope(world, client_for, persona):
    """The search box is a POST, which the GET walk above never sends: each record by reference and by name."""
    client = client_for(persona)
    for record, allowed in MAY_SEE_CONTENT.items():
        referral = world.referrals[record]
        for typed in (referral.reference, f"{world.marker(record)} 17/05/1990"):
            response = client.post(reverse("search:search"), {"q": typed})
            assert response.status_code in {200, 404}
            results = response.content.decode().split('id="results"', 1)[-1]
            if persona not in allowed:
                assert referral.reference not in results, (persona, record, typed)


def test_a_sealed_record_searched_for_looks_exactly_like_no_match(world, client_for):
    """The hub worker types the sealed record's reference, then its name and date of birth: every byte below the
    search box, and the audit event, are those of a search for something that does not exist."""
    from carehub.audit.models import Action, AuditEvent, SealedAuditEvent

    client = client_for("hana")
    sealed = world.referrals["sealed"]
    pairs = [(sealed.reference, "CH-ZZZZ-ZZZZ"), (f"{world.marker('sealed')} 17/05/1990", "Nobodyatall 17/05/1990")]
    for hidden, missing in pairs:
        answers = [client.post(reverse("search:search"), {"q": typed}) for typed in (hidden, missing)]
        assert [a.status_code for a in answers] == [200, 200]
        below = [_without_csrf(a.content).split(b'id="results"', 1)[1] for a in answers]
        assert below[0] == below[1] and b"No results" in below[0]
        events = list(AuditEvent.objects.filter(action=Action.SEARCH).order_by("-seq")[:2])
        assert events[0].changes == events[1].changes and events[0].changes["results"] == 0
    assert not SealedAuditEvent.objects.filter(action=Action.SEARCH).exists()


def _notify_everything(world) -> None:
    """One notice of every kind about every world record that can have one, sealed ones included."""
    import datetime as dt

    from django.utils import timezone

    from carehub.accounts.breakglass import break_glass_open
    from carehub.alerts import events
    from carehub.referrals.models import Offer
    from tests import factories as f

    today = timezone.localdate()
    wrongly_offered = f.ReferralFactory(sealed=True)  # a sealed record offered outside the independent service
    for referral, service in (
        (world.referrals["triage"], "solace"),
        (world.referrals["sealed"], "ias"),
        (wrongly_offered, "solace"),
    ):
        Offer.objects.create(
            referral=referral,
            service=world.services[service],
            offered_at=timezone.now(),
            offered_by=world.users["hana"],
        )
    world.maracs["sealed"].meeting_date = today + dt.timedelta(days=1)
    world.maracs["sealed"].save()
    for key in ("solace", "sistah"):
        f.MaracReferralFactory(referral=world.referrals[key], meeting_date=today + dt.timedelta(days=1))
    events.marac_date_sweep(today=today)
    events.no_contact_sweep(today=today + dt.timedelta(days=365))
    from carehub.coproduction import events as coproduction_events

    coproduction_events.twelve_week_sweep(now=timezone.now() + dt.timedelta(weeks=13))  # not the sealed case's
    break_glass_open(actor=world.users["adam"], reference=world.referrals["solace"].reference, reason="x" * 30)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_notice_opens_for_its_reader_and_for_nobody_else(world, client_for, persona):
    """After a notice of every kind: each persona's notices lead to records it may open, its list names no one,
    and nobody can open (or learn of) anyone else's notice."""
    from carehub.notifications.models import Notification

    _notify_everything(world)
    client = client_for(persona)
    page = client.get(reverse("notifications:list")).content.decode()
    for record in world.referrals:
        assert world.marker(record) not in page
    mine = list(Notification.objects.filter(recipient=world.users[persona]))
    for notice in mine:
        assert notice.public_id in page
        opened = client.post(reverse("notifications:open", kwargs={"public_id": notice.public_id}))
        assert opened.status_code == 302 and opened["Location"] == notice.link
        assert client.get(notice.link).status_code == 200, (persona, notice.kind, notice.link)
    for notice in Notification.objects.exclude(recipient=world.users[persona]):
        assert notice.public_id not in page
        answer = client.post(reverse("notifications:open", kwargs={"public_id": notice.public_id}))
        assert answer.status_code == 404
    told = {n.kind for n in mine}
    expected = {
        "amara": {"offer_arrived", "marac_date", "break_glass"},
        "alice": {"marac_date", "no_contact", "feedback_due"},
        "ines": {"marac_date", "no_contact"},
        "ivan": {"offer_arrived"},
        "bola": {"marac_date", "no_contact", "feedback_due"},
        "bea": {"marac_date"},
    }.get(persona, set())
    assert told == expected, persona


# Who may read an answer given in confidence: the commissioner, and the organisation that gave it (Quaymarsh).
MAY_READ_CONFIDENTIAL_ANSWER = {"cora", "amara"}


@pytest.mark.parametrize("persona", [*PERSONAS, None])
def test_an_answer_given_in_confidence_appears_on_no_page_outside_its_readers(world, client_for, persona):
    from django.test import Client

    client = client_for(persona) if persona else Client()
    pages = [
        client.get(url).content.decode() for url, name, _ in urls_to_try(world) if name.startswith("coproduction:")
    ]
    assert any(CONFIDENTIAL_MARKER in page for page in pages) == (persona in MAY_READ_CONFIDENTIAL_ANSWER)


# The hub manager's row, by hand: what hilda (a service manager of the hub organisation) gets at every URL of the
# matrix. She answers the hub's subject access and erasure requests and places its legal holds. Her role is a
# service manager's, so the service managers' lists open for her, empty (the hub runs no service, so they hold
# nothing of hers); she opens no referral, case, MARAC, audit, analysis, co-production or administration page.
HUB_MANAGER_OPENS = {
    "start",
    "home",
    "refer",
    "healthz",
    "accounts:otp_setup",
    "directory:list",
    "directory:detail",
    "referrals:inbox",
    "cases:list",
    "cases:waiting",
    "cases:caseload",
    "cases:closures",
    "search:search",
    "notifications:list",
    "retention:holds",
    "coproduction:feedback_form",
    "coproduction:feedback_start",
    "rights:index",
    "api:openapi-json",
}
# Routes that open only for some records: the women the hub holds (every unsealed referral), and the hub's own
# requests (rights_urls: its subject access and erasure requests for the woman in triage). Any other, 404.
_HUB_HOLDS = {key for key, who in MAY_ANSWER_FOR.items() if "hilda" in who}
HUB_MANAGER_OPENS_FOR = {
    **{name: _HUB_HOLDS for name in ("rights:survivor", "rights:access_open", "rights:erasure_open", "rights:rectify")},
    **{name: {"hub:triage"} for name in ("rights:access", "rights:access_extend", "rights:erasure")},
}
HUB_MANAGER_ANSWERS = {
    "favicon": 301,
    "accounts:login": 302,  # signed in already: sent on
    "accounts:otp_verify": 302,
    "api:referral_status": 401,  # the API answers keys, not sessions
}
# Forms that only take a POST: a GET is refused (405) before anything is looked up, for every persona alike.
POST_ONLY = {
    "accounts:logout",
    "administration:api_key_revoke",
    "administration:invitation_send",
    "administration:membership_add",
    "administration:membership_role",
    "administration:membership_toggle",
    "administration:second_factor_reset",
    "api:referral_create",
    "notifications:open",
    "notifications:preference",
    "notifications:read_all",
    "repeats:decide",
    "repeats:undo",
    "rights:access_release",
    "rights:erasure_carry_out",
}


def hub_manager_expects(name: str, url: str, key: str | None) -> int:
    if name in POST_ONLY:
        return 405
    if name in HUB_MANAGER_OPENS:
        return 200
    if name in HUB_MANAGER_ANSWERS:
        return HUB_MANAGER_ANSWERS[name]
    if name in HUB_MANAGER_OPENS_FOR:
        return 200 if key in HUB_MANAGER_OPENS_FOR[name] else 404
    if name == "rights:access_download":  # the hub's released pack, as HTML or JSON (no other kind exists)
        return 200 if key == "hub:triage" and not url.endswith("/pdf/") else 404
    if name == "rights:access_review":  # released already: the review is over, and she is sent back to the request
        return 302 if key == "hub:triage" else 404
    if name == "coproduction:public_commitment":  # the public page of a published commitment: anyone's
        return 404 if MISSING_ID in url else 200
    return 404


def test_the_hub_manager_gets_what_her_row_says_at_every_url(world, walk):
    """The hub manager's row of the matrix, URL by URL: what she opens, and a 404 (as for a record that does not
    exist) everywhere else. Her rights pages carry the hub's women by name; no other page does."""
    got = {}
    for response in walk("hilda"):
        url, name, key = response.url, response.name, response.key
        got[url] = (name, response.status_code, hub_manager_expects(name, url, key))
        if name.startswith("rights:") or response.status_code != 200:
            continue
        body = response.body
        for record in world.referrals:
            assert world.marker(record) not in body, (record, url)
    wrong = {url: answer for url, answer in got.items() if answer[1] != answer[2]}
    assert wrong == {}
    assert {name for name, status, _ in got.values() if status == 200} >= HUB_MANAGER_OPENS | {"rights:access"}
