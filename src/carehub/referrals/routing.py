"""Ranking services for a triaged referral: hard rules first, then a score, and a reason for every step.

All of routing's rules live here. Safety comes first: a woman at high risk (the DASH threshold, or any other MARAC
criterion) is offered a service that holds high-risk cases (an IDVA, or a service represented at MARAC) before any
other, and an IDVA stays on her list even when she asked only for something else, because SafeLives' standard is an
IDVA for every high-risk victim. Her wish for a by-and-for service still counts among those: a by-and-for IDVA
outranks a generic one, and a by-and-for service that is not an IDVA is ranked after the IDVAs with a reason saying
why. tests/referrals/test_routing_table.py holds the cases a practitioner would check this against.

Pure functions over plain data, so a ranking can be explained, tested and timed without a database. `load_services`
reads the directory for routing: one query for the services and one for their open cases; `directory_snapshot` keeps
the two in memory between referrals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from carehub.core.choices import Community, Language, ServiceType
from carehub.core.london import borough_name

_SERVICE_TYPE_LABELS = dict(ServiceType.choices)
_COMMUNITY_LABELS = dict(Community.choices)
_LANGUAGE_LABELS = dict(Language.choices)

# Weights of the score. Holding high-risk cases, for a woman at high risk, outweighs every other point put together
# (at most +97, at least -40 below), so safety orders the list before anything else does.
HIGH_RISK_WEIGHT = 200.0
# A by-and-for match the survivor asked for outweighs everything else: it is her choice.
BY_AND_FOR_WEIGHT = 50.0
LANGUAGE_WEIGHT = 20.0
SPECIALISM_WEIGHT = 4.0
SPECIALISM_CAP = 12.0
CAPACITY_WEIGHT = 15.0
FULL_PENALTY = 10.0
WAIT_WEIGHT_PER_DAY = 0.5
WAIT_CAP_DAYS = 60


@dataclass(frozen=True)
class Need:
    """What routing needs to know about a referral, and nothing that identifies her."""

    borough: str
    needs: frozenset[str]
    abuse_types: frozenset[str] = frozenset()
    wants_by_and_for: str = ""
    language: str = ""
    interpreter_needed: bool = False
    age: int | None = None
    is_man: bool = False
    has_nrpf: bool = False
    # High risk: the DASH threshold reached or another MARAC criterion met (triage sets risk_level "high" for both).
    high_risk: bool = False
    dash_score: int | None = None
    marac: bool = False


@dataclass(frozen=True)
class ServiceFacts:
    id: int
    name: str
    organisation: str
    service_type: str
    communities: frozenset[str]
    languages: frozenset[str]
    specialisms: frozenset[str]
    covers_all_london: bool
    boroughs: frozenset[str]
    min_age: int
    max_age: int | None
    accepts_women: bool
    accepts_men: bool
    accepts_nrpf: bool
    capacity: int
    open_cases: int
    wait_days: int
    accepting: bool
    marac_linked: bool = False

    @property
    def holds_high_risk(self) -> bool:
        """An IDVA, or a service whose workers hold high-risk cases and represent them at MARAC."""
        return self.service_type == ServiceType.IDVA or self.marac_linked


@dataclass
class Ranked:
    service: ServiceFacts
    score: float
    reasons: list[str] = field(default_factory=list)
    position: int = 0


@dataclass
class Excluded:
    service: ServiceFacts
    reasons: list[str]


def rank(need: Need, services: Iterable[ServiceFacts]) -> tuple[list[Ranked], list[Excluded]]:
    """Services that may take the referral, best first, and those that may not, each with its reasons."""
    ranked: list[Ranked] = []
    excluded: list[Excluded] = []
    for service in services:
        blockers = _hard_rules(need, service)
        if blockers:
            excluded.append(Excluded(service, blockers))
        else:
            score, reasons = _score(need, service)
            ranked.append(Ranked(service, round(score, 2), reasons))
    # Ties break on shorter wait, then name, so the order is stable and explainable.
    ranked.sort(key=lambda r: (-r.score, r.service.wait_days, r.service.name))
    for position, entry in enumerate(ranked, start=1):
        entry.position = position
    return ranked, excluded


def _hard_rules(need: Need, s: ServiceFacts) -> list[str]:
    reasons = []
    if not s.accepting:
        reasons.append("not accepting referrals now")
    if s.service_type == ServiceType.INDEPENDENT_ADVISORY:
        reasons.append("the independent advisory service takes only referrals about police perpetrators")
    if need.needs and s.service_type not in need.needs and not _idva_for_high_risk(need, s):
        reasons.append(f"provides {_SERVICE_TYPE_LABELS.get(s.service_type, s.service_type)}, which was not asked for")
    if need.borough and not (s.covers_all_london or need.borough in s.boroughs):
        reasons.append(f"does not cover {borough_name(need.borough)}")
    if need.age is not None and (need.age < s.min_age or (s.max_age is not None and need.age > s.max_age)):
        reasons.append(f"age {need.age} is outside {s.min_age}-{s.max_age or 'any'}")
    if need.is_man and not s.accepts_men:
        reasons.append("supports women only")
    if not need.is_man and not s.accepts_women:
        reasons.append("supports men only")
    if need.has_nrpf and not s.accepts_nrpf:
        reasons.append("cannot support people with No Recourse to Public Funds")
    return reasons


def _idva_for_high_risk(need: Need, s: ServiceFacts) -> bool:
    """An IDVA is offered to every woman at high risk, whatever else she asked for."""
    return need.high_risk and s.service_type == ServiceType.IDVA


def risk_words(need: Need) -> str:
    """Why she is at high risk, in plain words: "DASH 14 of 24; MARAC criteria met"."""
    parts = []
    if need.dash_score is not None:
        parts.append(f"DASH {need.dash_score} of 24")
    if need.marac:
        parts.append("MARAC criteria met")
    return "; ".join(parts) or "assessed at triage"


def _risk_score(need: Need, s: ServiceFacts) -> tuple[float, list[str]]:
    if not need.high_risk:
        return 0.0, []
    why = risk_words(need)
    if not s.holds_high_risk:
        return 0.0, [
            f"+0: she is at high risk ({why}) and this service does not hold high-risk cases, "
            "so IDVA and MARAC-linked services come first; it can support her alongside them"
        ]
    kind = "an IDVA service" if s.service_type == ServiceType.IDVA else "represented at MARAC"
    reasons = [
        f"+{HIGH_RISK_WEIGHT:g}: she is at high risk ({why}) and this service holds high-risk cases ({kind}): "
        "safety first"
    ]
    if need.needs and s.service_type not in need.needs:
        asked = ", ".join(_SERVICE_TYPE_LABELS.get(n, n) for n in sorted(need.needs))
        reasons.append(f"+0: she asked for {asked}; an IDVA is offered to everyone at high risk")
    return HIGH_RISK_WEIGHT, reasons


def _score(need: Need, s: ServiceFacts) -> tuple[float, list[str]]:
    score, reasons = _risk_score(need, s)
    if need.wants_by_and_for:
        community = _COMMUNITY_LABELS.get(need.wants_by_and_for, "her community")
        if need.wants_by_and_for in s.communities:
            score += BY_AND_FOR_WEIGHT
            reasons.append(f"+{BY_AND_FOR_WEIGHT:g}: led by and for {community}, as she asked")
        else:
            reasons.append(f"+0: not led by and for {community}")
    if need.language and need.language != Language.ENGLISH:
        label = _LANGUAGE_LABELS.get(need.language, need.language)
        if need.language in s.languages:
            score += LANGUAGE_WEIGHT
            reasons.append(f"+{LANGUAGE_WEIGHT:g}: staff speak {label}")
        else:
            reasons.append(f"+0: no staff speak {label} (interpreter needed)")
    matched = need.abuse_types & s.specialisms
    if matched:
        points = min(SPECIALISM_CAP, SPECIALISM_WEIGHT * len(matched))
        score += points
        reasons.append(f"+{points:g}: specialises in {len(matched)} of the abuse types named")
    if s.capacity > 0:
        spare = max(0.0, (s.capacity - s.open_cases) / s.capacity)
        if s.open_cases >= s.capacity:
            score -= FULL_PENALTY
            reasons.append(f"-{FULL_PENALTY:g}: full ({s.open_cases} open cases, capacity {s.capacity})")
        else:
            points = CAPACITY_WEIGHT * spare
            score += points
            reasons.append(f"+{points:.1f}: {s.capacity - s.open_cases} of {s.capacity} places free")
    wait_points = WAIT_WEIGHT_PER_DAY * min(s.wait_days, WAIT_CAP_DAYS)
    score -= wait_points
    reasons.append(f"-{wait_points:g}: current wait {s.wait_days} days")
    return score, reasons


def load_services(service_ids: Iterable[int] | None = None) -> list[ServiceFacts]:
    """The directory as routing sees it, with open case counts, read afresh: two queries, plain rows."""
    counts = open_case_counts()
    return [replace(s, open_cases=counts.get(s.id, 0)) for s in read_directory(service_ids)]


# Who counts the open cases: cases (the higher app) plugs its count in from its AppConfig.ready(). Referrals sits
# below cases and must not import it (.importlinter); until cases registers, every service counts as empty.
_open_case_counter: Callable[[], dict[int, int]] = dict


def count_open_cases_with(counter: Callable[[], dict[int, int]]) -> None:
    """Set the function that counts cases waiting or open per service (cases.selectors.open_case_counts)."""
    global _open_case_counter
    _open_case_counter = counter


def open_case_counts() -> dict[int, int]:
    """Cases waiting or open, per service: what routing weighs against each service's capacity."""
    return _open_case_counter()


def read_directory(service_ids: Iterable[int] | None = None) -> list[ServiceFacts]:
    """Every service's facts from the directory, with open_cases left at 0: one query, no model instances."""
    from carehub.directory.models import Service

    rows = Service.objects.values_list(
        "id",
        "name",
        "organisation__name",
        "service_type",
        "organisation__led_by_and_for",
        "languages",
        "specialisms",
        "covers_all_london",
        "boroughs",
        "min_age",
        "max_age",
        "accepts_women",
        "accepts_men",
        "accepts_nrpf",
        "capacity",
        "current_wait_days",
        "accepting_referrals",
        "marac_linked",
    )
    if service_ids is not None:
        rows = rows.filter(pk__in=list(service_ids))
    return [
        ServiceFacts(
            id=r[0],
            name=r[1],
            organisation=r[2],
            service_type=r[3],
            communities=frozenset(r[4] or ()),
            languages=frozenset(r[5] or ()),
            specialisms=frozenset(r[6] or ()),
            covers_all_london=r[7],
            boroughs=frozenset(r[8] or ()),
            min_age=r[9],
            max_age=r[10],
            accepts_women=r[11],
            accepts_men=r[12],
            accepts_nrpf=r[13],
            capacity=r[14],
            open_cases=0,
            wait_days=r[15],
            accepting=r[16],
            marac_linked=r[17],
        )
        for r in rows
    ]
