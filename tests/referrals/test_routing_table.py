"""Routing, case by case, as a domestic-abuse practitioner would check it.

Each row is one referral's facts (what routing may know, never who she is), the directory it meets, the service
that must come first (None when nobody can take her), and the services that must be excluded with words from the
reason. Safety first: a woman at high risk (DASH threshold or MARAC criteria) gets an IDVA or a MARAC-linked service
first, preferably one led by and for her community; below high risk, her wishes, language, capacity and wait decide.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace

import pytest

from carehub.referrals import selectors
from carehub.referrals.models import RiskLevel
from carehub.referrals.routing import Need, ServiceFacts, rank
from tests import factories as f

TOWER_HAMLETS = "E09000030"
HACKNEY = "E09000012"


def svc(name: str, service_type: str, **facts) -> ServiceFacts:
    """A service with ordinary facts: women, 16+, covers Tower Hamlets, half full, a ten-day wait."""
    base = dict(
        id=zlib.crc32(name.encode()),
        name=name,
        organisation=f"{name} organisation",
        service_type=service_type,
        communities=frozenset(),
        languages=frozenset({"en"}),
        specialisms=frozenset(),
        covers_all_london=False,
        boroughs=frozenset({TOWER_HAMLETS}),
        min_age=16,
        max_age=None,
        accepts_women=True,
        accepts_men=False,
        accepts_nrpf=True,
        capacity=40,
        open_cases=20,
        wait_days=10,
        accepting=True,
    )
    base.update(facts)
    for key in ("communities", "languages", "specialisms", "boroughs"):
        base[key] = frozenset(base[key])
    return ServiceFacts(**base)


def need(*needs: str, **facts) -> Need:
    return Need(borough=facts.pop("borough", TOWER_HAMLETS), needs=frozenset(needs), age=facts.pop("age", 34), **facts)


HIGH = dict(high_risk=True, dash_score=16, marac=True)
MEDIUM = dict(high_risk=False, dash_score=11)
STANDARD = dict(high_risk=False, dash_score=4)

GENERIC_IDVA = svc("Borough IDVA", "idva")
SOUTH_ASIAN_IDVA = svc("Apna Ghar IDVA", "idva", communities={"south_asian"}, languages={"en", "ur", "pa", "bn"})
SOUTH_ASIAN_OUTREACH = svc("Roshni Outreach", "outreach", communities={"south_asian"}, languages={"en", "ur"})
GENERIC_OUTREACH = svc("Borough Outreach", "outreach", open_cases=5, wait_days=0)
IMMIGRATION = svc("Migrant Rights Advice", "legal_immigration", open_cases=0, wait_days=0, covers_all_london=True)
COUNSELLING = svc("Healing Together Counselling", "counselling", open_cases=5, wait_days=3)
ISVA = svc("East London ISVA", "isva", specialisms={"sexual", "non_partner_sexual"})
REFUGE = svc("Safe House Refuge", "refuge", covers_all_london=True)


@dataclass(frozen=True)
class Row:
    case: str
    need: Need
    directory: list[ServiceFacts]
    first: str | None
    excluded: dict[str, str] = field(default_factory=dict)
    first_says: str = ""


ROWS = [
    Row(
        "high risk (DASH 14, MARAC): an IDVA before immigration advice, however quick the advice is",
        need("idva", "legal_immigration", high_risk=True, dash_score=14, marac=True),
        [IMMIGRATION, replace(GENERIC_IDVA, open_cases=38, wait_days=30), svc("Second IDVA", "idva", wait_days=21)],
        "Second IDVA",
        first_says="high risk (DASH 14 of 24; MARAC criteria met)",
    ),
    Row(
        "high risk + by-and-for wish: the by-and-for IDVA outranks the generic IDVA",
        need("idva", wants_by_and_for="south_asian", **HIGH),
        [GENERIC_IDVA, SOUTH_ASIAN_IDVA],
        "Apna Ghar IDVA",
        first_says="led by and for South Asian women",
    ),
    Row(
        "high risk + by-and-for wish, no by-and-for IDVA: safety first, the generic IDVA; the by-and-for service next",
        need("idva", "outreach", wants_by_and_for="south_asian", **HIGH),
        [SOUTH_ASIAN_OUTREACH, GENERIC_IDVA],
        "Borough IDVA",
        first_says="safety first",
    ),
    Row(
        "high risk + NRPF: an IDVA that cannot support NRPF is excluded, one that can comes first",
        need("idva", "refuge", has_nrpf=True, **HIGH),
        [replace(GENERIC_IDVA, accepts_nrpf=False), svc("Open Door IDVA", "idva", wait_days=25), REFUGE],
        "Open Door IDVA",
        excluded={"Borough IDVA": "No Recourse to Public Funds"},
    ),
    Row(
        "high risk, she asked only for counselling: an IDVA is still offered, first",
        need("counselling", **HIGH),
        [COUNSELLING, GENERIC_IDVA],
        "Borough IDVA",
        first_says="an IDVA is offered to everyone at high risk",
    ),
    Row(
        "medium risk + counselling only: counselling; the IDVA she did not ask for is excluded",
        need("counselling", **MEDIUM),
        [GENERIC_IDVA, COUNSELLING],
        "Healing Together Counselling",
        excluded={"Borough IDVA": "not asked for"},
    ),
    Row(
        "sexual violence by a non-partner + ISVA: the ISVA",
        need("isva", abuse_types=frozenset({"non_partner_sexual"}), **STANDARD),
        [GENERIC_IDVA, COUNSELLING, ISVA],
        "East London ISVA",
        excluded={"Borough IDVA": "not asked for", "Healing Together Counselling": "not asked for"},
    ),
    Row(
        "sexual violence: the ISVA that specialises in it before one that does not",
        need("isva", abuse_types=frozenset({"sexual", "non_partner_sexual"}), **STANDARD),
        [svc("General ISVA", "isva", wait_days=8), ISVA],
        "East London ISVA",
        first_says="specialises in 2 of the abuse types",
    ),
    Row(
        "language: Somali-speaking staff before an interpreter",
        need("outreach", language="so", interpreter_needed=True, **STANDARD),
        [GENERIC_OUTREACH, svc("Somali Women's Outreach", "outreach", languages={"en", "so"}, wait_days=5)],
        "Somali Women's Outreach",
        first_says="staff speak Somali",
    ),
    Row(
        "language: British Sign Language",
        need("counselling", language="bfi", **MEDIUM),
        [COUNSELLING, svc("Deaf Women's Counselling", "counselling", languages={"bfi", "en"}, covers_all_london=True)],
        "Deaf Women's Counselling",
        first_says="British Sign Language",
    ),
    Row(
        "high risk + language: a by-and-for IDVA speaking Urdu before a generic IDVA",
        need("idva", language="ur", **HIGH),
        [GENERIC_IDVA, SOUTH_ASIAN_IDVA],
        "Apna Ghar IDVA",
        first_says="staff speak Urdu",
    ),
    Row(
        "borough: a service that does not cover Hackney is excluded; a London-wide one is not",
        need("outreach", borough=HACKNEY, **STANDARD),
        [GENERIC_OUTREACH, svc("Pan-London Outreach", "outreach", covers_all_london=True, wait_days=20)],
        "Pan-London Outreach",
        excluded={"Borough Outreach": "does not cover Hackney"},
    ),
    Row(
        "high risk in a borough whose only by-and-for IDVA is elsewhere: the IDVA that covers her borough",
        need("idva", borough=HACKNEY, wants_by_and_for="south_asian", **HIGH),
        [SOUTH_ASIAN_IDVA, replace(GENERIC_IDVA, boroughs=frozenset({HACKNEY}))],
        "Borough IDVA",
        excluded={"Apna Ghar IDVA": "does not cover Hackney"},
    ),
    Row(
        "no capacity anywhere: every service has stopped taking referrals, so nobody is offered",
        need("idva", "outreach", **HIGH),
        [replace(GENERIC_IDVA, accepting=False), replace(GENERIC_OUTREACH, accepting=False)],
        None,
        excluded={"Borough IDVA": "not accepting", "Borough Outreach": "not accepting"},
    ),
    Row(
        "every service full: still ranked (she goes on a list), the shorter wait first",
        need("counselling", **MEDIUM),
        [
            svc("Full Counselling A", "counselling", open_cases=40, wait_days=50),
            svc("Full Counselling B", "counselling", open_cases=45, wait_days=12),
        ],
        "Full Counselling B",
        first_says="full",
    ),
    Row(
        "high risk, the IDVA full and outreach free: safety first, the IDVA",
        need("idva", "outreach", **HIGH),
        [GENERIC_OUTREACH, replace(GENERIC_IDVA, open_cases=40, wait_days=28)],
        "Borough IDVA",
        first_says="holds high-risk cases",
    ),
    Row(
        "high risk + refuge: a refuge represented at MARAC before one that is not",
        need("refuge", **HIGH),
        [replace(REFUGE, open_cases=5, wait_days=0), svc("MARAC Refuge", "refuge", marac_linked=True, wait_days=14)],
        "MARAC Refuge",
        first_says="represented at MARAC",
    ),
    Row(
        "MARAC on professional judgement alone (DASH 9): high risk, an IDVA first",
        need("idva", "counselling", high_risk=True, dash_score=9, marac=True),
        [COUNSELLING, GENERIC_IDVA],
        "Borough IDVA",
        first_says="DASH 9 of 24; MARAC criteria met",
    ),
    Row(
        "medium risk, no wish: the IDVA weighs no more than outreach; capacity and wait decide",
        need("idva", "outreach", **MEDIUM),
        [replace(GENERIC_IDVA, open_cases=35, wait_days=20), GENERIC_OUTREACH],
        "Borough Outreach",
    ),
    Row(
        "standard risk + by-and-for wish: the by-and-for service despite a longer wait",
        need("outreach", wants_by_and_for="south_asian", **STANDARD),
        [GENERIC_OUTREACH, replace(SOUTH_ASIAN_OUTREACH, wait_days=25)],
        "Roshni Outreach",
        first_says="as she asked",
    ),
    Row(
        "a man at high risk: women-only IDVAs are excluded, the IDVA that supports men comes first",
        need("idva", is_man=True, **HIGH),
        [GENERIC_IDVA, svc("Men's Advocacy IDVA", "idva", accepts_men=True, accepts_women=False, wait_days=12)],
        "Men's Advocacy IDVA",
        excluded={"Borough IDVA": "women only"},
    ),
    Row(
        "a 17-year-old: an adults-only service is excluded, the young people's service comes first",
        need("idva", age=17, **HIGH),
        [replace(GENERIC_IDVA, min_age=18), svc("Young People's IDVA", "idva", min_age=13, max_age=25)],
        "Young People's IDVA",
        excluded={"Borough IDVA": "age 17"},
    ),
    Row(
        "the independent advisory service is never offered outside the sealed pathway, even at high risk",
        need(**HIGH),
        [svc("Independent Advisory", "independent_advisory", covers_all_london=True), GENERIC_IDVA],
        "Borough IDVA",
        excluded={"Independent Advisory": "police perpetrators"},
    ),
    Row(
        "high risk and no IDVA can take her: the best of the rest, saying why",
        need("idva", "outreach", **HIGH),
        [replace(GENERIC_IDVA, accepting=False), GENERIC_OUTREACH],
        "Borough Outreach",
        excluded={"Borough IDVA": "not accepting"},
        first_says="does not hold high-risk cases",
    ),
    Row(
        "high risk with no needs recorded: every type may take her, the IDVA first",
        need(**HIGH),
        [COUNSELLING, IMMIGRATION, GENERIC_OUTREACH, GENERIC_IDVA],
        "Borough IDVA",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.case for r in ROWS])
def test_routing_table(row: Row) -> None:
    ranked, excluded = rank(row.need, row.directory)
    first = ranked[0] if ranked else None
    assert (first.service.name if first else None) == row.first, [(r.service.name, r.reasons) for r in ranked]
    reasons = {e.service.name: "; ".join(e.reasons) for e in excluded}
    for name, words in row.excluded.items():
        assert words in reasons.get(name, ""), (name, reasons)
    if row.first_says:
        assert any(row.first_says in reason for reason in first.reasons), first.reasons
    if first and row.need.high_risk and first.service.holds_high_risk:
        assert any("high risk" in reason for reason in first.reasons)


def test_the_table_has_enough_cases() -> None:
    assert len(ROWS) >= 20


def test_the_by_and_for_service_ranked_after_an_idva_says_why() -> None:
    ranked, _ = rank(
        need("idva", "outreach", wants_by_and_for="south_asian", **HIGH), [SOUTH_ASIAN_OUTREACH, GENERIC_IDVA]
    )
    by_and_for = next(r for r in ranked if r.service.name == "Roshni Outreach")
    assert by_and_for.position == 2
    assert any("IDVA and MARAC-linked services come first" in reason for reason in by_and_for.reasons)
    assert any("as she asked" in reason for reason in by_and_for.reasons)


def test_a_dash_of_14_with_marac_ranks_the_idvas_above_immigration_advice(world):
    """The issue's report, end to end: a referral triaged high risk, the directory read from the database."""
    org = f.OrganisationFactory(slug="advice", name="Advice Org")
    advice = f.ServiceFactory(
        organisation=org, name="Quick Immigration Advice", service_type="legal_immigration", capacity=100
    )
    idvas = [f.ServiceFactory(organisation=org, name=f"IDVA {n}", current_wait_days=30, capacity=40) for n in (1, 2)]
    referral = f.ReferralFactory(
        needs=["idva", "legal_immigration"], risk_level=RiskLevel.HIGH, dash_score=14, marac=True, status="in_triage"
    )
    ranked, _ = selectors.routing_for(referral)
    names = [r.service.name for r in ranked]
    assert names.index("IDVA 1") < names.index(advice.name)
    assert names.index("IDVA 2") < names.index(advice.name)
    assert ranked[0].service.service_type == "idva"
    assert ranked[0].service.id in {s.pk for s in idvas} | {world.services["solace"].pk, world.services["sistah"].pk}
    assert any("DASH 14 of 24; MARAC criteria met" in reason for reason in ranked[0].reasons)
