"""Ranking services for a triaged referral: hard rules first, then a score, and a reason for every step.

Pure functions over plain data, so a ranking can be explained, tested and timed without a database. `load_services`
is the one place that reads the directory for routing: one query for the services and one for their open cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from carehub.core.choices import Community, Language, ServiceType
from carehub.core.london import borough_name

# Weights of the score. A by-and-for match the survivor asked for outweighs everything else: it is her choice.
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
    if need.needs and s.service_type not in need.needs:
        reasons.append(f"provides {ServiceType(s.service_type).label}, which was not asked for")
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


def _score(need: Need, s: ServiceFacts) -> tuple[float, list[str]]:
    score, reasons = 0.0, []
    if need.wants_by_and_for:
        community = Community(need.wants_by_and_for).label if need.wants_by_and_for in Community.values else "it"
        if need.wants_by_and_for in s.communities:
            score += BY_AND_FOR_WEIGHT
            reasons.append(f"+{BY_AND_FOR_WEIGHT:g}: led by and for {community}, as she asked")
        else:
            reasons.append(f"+0: not led by and for {community}")
    if need.language and need.language != Language.ENGLISH:
        label = Language(need.language).label if need.language in Language.values else need.language
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
    """The directory as routing sees it, with open case counts, in two queries however many services there are."""
    from carehub.cases.models import CaseStatus
    from carehub.directory.models import Service

    services = Service.objects.select_related("organisation").annotate(
        open_cases=Count("cases", filter=~Q(cases__status=CaseStatus.CLOSED))
    )
    if service_ids is not None:
        services = services.filter(pk__in=list(service_ids))
    return [
        ServiceFacts(
            id=s.pk,
            name=s.name,
            organisation=s.organisation.name,
            service_type=s.service_type,
            communities=frozenset(s.organisation.led_by_and_for or []),
            languages=frozenset(s.languages or []),
            specialisms=frozenset(s.specialisms or []),
            covers_all_london=s.covers_all_london,
            boroughs=frozenset(s.boroughs or []),
            min_age=s.min_age,
            max_age=s.max_age,
            accepts_women=s.accepts_women,
            accepts_men=s.accepts_men,
            accepts_nrpf=s.accepts_nrpf,
            capacity=s.capacity,
            open_cases=s.open_cases,
            wait_days=s.current_wait_days,
            accepting=s.accepting_referrals,
        )
        for s in services
    ]
