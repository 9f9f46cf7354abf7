"""The whole synthetic London as arrays, before anything touches the database: same seed, same plan.

Each part of the generation draws from its own random stream (spawned from the seed), so changing how one part is
drawn does not reshuffle the others.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from carehub.cases.models import CaseStatus
from carehub.demo.personas import PERSONAS
from carehub.demo.planted import plant_repeats
from carehub.insight.duration.simulate import Planted
from carehub.referrals.models import REFERENCE_ALPHABET, RiskLevel, Status
from carehub.synthetic import census as census_table
from carehub.synthetic.directory import BOROUGH_CODES, Directory, build_directory
from carehub.synthetic.intake import Intake, draw_channels, draw_intake, draw_sealed
from carehub.synthetic.outcomes import Measures, draw_measures
from carehub.synthetic.pathway import Cases, Outcome, allocate_caseworkers, draw_journey, end_previous_cases, outcome_at
from carehub.synthetic.population import Survivors, draw_survivors
from carehub.synthetic.risk import marac_decisions
from carehub.synthetic.routing import route
from carehub.synthetic.sampling import DAY, NA, bernoulli
from carehub.synthetic.staff import Staff, StaffMember, build_staff
from carehub.synthetic.timeline import LATER_REFERRAL_SHARE, Linkage, Window, arrival_times, link_survivors

STREAMS = ("sealed", "arrivals", "linkage", "people", "intake", "routing", "journey", "staff", "allocation", "refs")
STREAMS += ("risk", "outcomes", "public_ids")  # new streams go last: the earlier ones keep their draws
STREAMS += ("planted",)
PERSONA_OPEN_CASES = 6  # open cases each caseworker persona is given, so the demo shows a real caseload
ADVISER_CASES = 3
MANAGER_OFFERS = 3  # pending offers in the manager persona's inbox


@dataclass
class Plan:
    seed: int
    window: Window
    directory: Directory
    staff: Staff
    survivors: Survivors
    received: np.ndarray  # referrals in order of receipt
    reference: np.ndarray
    sealed: np.ndarray
    linkage: Linkage
    intake: Intake
    risk_level: np.ndarray
    dash_score: np.ndarray
    marac: np.ndarray
    marac_repeat: np.ndarray
    referred_by: np.ndarray  # staff index of the persona who sent it, or NA
    outcome: Outcome
    measures: Measures
    capacity: np.ndarray  # per service
    current_wait_days: np.ndarray  # per service
    caseworker_fte: np.ndarray  # per service: Decimal, or None where the demo leaves it not recorded
    # Public identifiers (core.public_ids) are drawn as rows are written, in the writers' fixed order, from this
    # generator seeded from the plan's own stream: same seed, same identifiers.
    public_ids: random.Random
    # With a planted effect of support on repeat referrals (demo.planted): the true 52-week risks of a repeat under
    # 12 and 26 weeks of support for the seeded episodes, and their difference.
    planted_truth: dict = field(default_factory=dict)

    @property
    def cases(self) -> Cases:
        return self.outcome.cases

    def __len__(self) -> int:
        return len(self.received)


def utc_today() -> dt.date:
    """Today in UTC, the calendar the plan's times are counted in (a function, so tests can set the clock)."""
    return dt.datetime.now(dt.UTC).date()


def default_end_date() -> dt.date:
    """Yesterday: the last whole day before the seeder runs.

    The demo must read as the hub would in use, the newest referral hours old and waits as long as they really are,
    not a month stale. Its data run to the end of the end date, so ending today would date some events later than
    the moment of seeding; yesterday never does. Pass a fixed end date for data that never drift (tests do).
    """
    return utc_today() - dt.timedelta(days=1)


def build_plan(
    referrals: int, seed: int, end_date: dt.date | None = None, years: int = 3, planted: Planted | None = None
) -> Plan:
    """Same seed, end date and years, same plan; the end date defaults to default_end_date(). With `planted`, support
    length and repeat referrals follow the duration simulator's process with that effect (demo.planted)."""
    end_date = end_date or default_end_date()
    streams = np.random.SeedSequence(seed).spawn(len(STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(STREAMS, streams, strict=True)}
    census = census_table.load()
    if census.boroughs != BOROUGH_CODES:
        raise ValueError("the census table's boroughs are not carehub.core.london's")
    window = Window.ending(end_date, years)
    directory = build_directory(window.start, census.population)
    personas = [StaffMember(p.username, p.full_name, p.organisation_slug, str(p.role), persona=True) for p in PERSONAS]
    staff = build_staff(rng["staff"], census, directory, personas)

    channel = draw_channels(rng["arrivals"], referrals)
    received = arrival_times(rng["arrivals"], referrals, window, channel)
    order = np.argsort(received, kind="stable")
    received, channel = received[order], channel[order]
    sealed = draw_sealed(rng["sealed"], received, window.now, channel)

    linkage = link_survivors(rng["linkage"], received, sealed, 0.0 if planted else LATER_REFERRAL_SHARE)
    survivors = draw_survivors(rng["people"], census, received[linkage.first_referral])
    who = linkage.survivor
    intake = draw_intake(rng["intake"], survivors, who, received, channel, sealed)
    service = route(
        rng["routing"],
        directory,
        borough=survivors.borough[who],
        male=survivors.male[who],
        nrpf=intake.has_nrpf,
        ages=intake.ages,
        wants=intake.wants_by_and_for,
        abuse_mask=intake.abuse_mask,
        needs_mask=intake.needs_mask,
        primary_need=intake.primary_need,
        sealed=sealed,
    )
    high, marac_repeat = marac_decisions(rng["risk"], intake.risk, received, linkage.previous)
    journey = draw_journey(rng["journey"], directory, received, service, high, sealed)
    end_previous_cases(rng["journey"], journey, received, linkage.previous)
    truth = {}
    if planted:
        survivors, linkage, truth = plant_repeats(
            rng["planted"], planted, journey=journey, linkage=linkage, survivors=survivors, intake=intake,
            high=high, received=received, sealed=sealed, now=window.now,
        )  # fmt: skip
    outcome = outcome_at(journey, window.now, received, linkage.previous, service, sealed)
    allocate_caseworkers(rng["allocation"], outcome.cases, staff.pools)
    give_personas_cases(directory, staff, intake, outcome)
    give_manager_offers(directory, staff, outcome)

    assessed = outcome.triaged_at != NA
    capacity, wait = service_load(rng["allocation"], directory, outcome.cases, window.now)
    return Plan(
        seed=seed,
        window=window,
        directory=directory,
        staff=staff,
        survivors=survivors,
        received=received,
        reference=draw_references(rng["refs"], referrals),
        sealed=sealed,
        linkage=linkage,
        intake=intake,
        risk_level=np.select(
            [~assessed, high], [RiskLevel.NOT_ASSESSED.value, RiskLevel.HIGH.value], RiskLevel.STANDARD.value
        ).astype(object),
        dash_score=np.where(assessed, intake.risk.score, NA),
        marac=assessed & high,
        marac_repeat=assessed & marac_repeat,
        referred_by=_referred_by_personas(rng["refs"], staff, intake.referring_org, received, window.now),
        outcome=outcome,
        measures=draw_measures(rng["outcomes"], outcome.cases, intake.abuse_mask[outcome.cases.referral], window.now),
        capacity=capacity,
        current_wait_days=wait,
        caseworker_fte=caseworker_fte(seed, capacity),
        public_ids=random.Random(int(rng["public_ids"].integers(2**63))),
        planted_truth=truth,
    )


CASELOAD_PER_FTE = 20  # as insight.commissioning.settings.Settings.caseload_per_fte (demo may not import it)


def caseworker_fte(seed: int, capacity: np.ndarray) -> np.ndarray:
    """Each service's caseworkers as its managers would record them: its caseload cap over one caseworker's caseload,
    times 0.6 to 0.95 (services staffed short of what their cap implies, so the commissioning evidence shows a gap),
    to one decimal place; one service in eight has none recorded, as a real directory would. A stream of its own
    (seed and 15), so the rest of the plan is what it was before services had FTE."""
    rng = np.random.default_rng([seed, 15])
    share = rng.uniform(0.6, 0.95, len(capacity))
    missing = rng.random(len(capacity)) < 1 / 8
    fte = np.maximum(np.round(capacity / CASELOAD_PER_FTE * share, 1), 0.1)
    return np.array([None if m else Decimal(f"{f:.1f}") for f, m in zip(fte, missing, strict=True)], dtype=object)


def draw_references(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique references in the app's format ("CH-XXXX-XXXX" over REFERENCE_ALPHABET), drawn from the seed."""
    base = len(REFERENCE_ALPHABET)
    codes = rng.integers(0, base**8, n)
    while True:
        _, first = np.unique(codes, return_index=True)
        duplicate = np.ones(n, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            break
        codes[duplicate] = rng.integers(0, base**8, int(duplicate.sum()))
    alphabet = np.frombuffer(REFERENCE_ALPHABET.encode(), dtype=np.uint8)
    chars = np.empty((n, 12), dtype=np.uint8)
    chars[:, :3] = np.frombuffer(b"CH-", dtype=np.uint8)
    chars[:, 7] = ord("-")
    positions = (3, 4, 5, 6, 8, 9, 10, 11)
    for k, position in enumerate(reversed(positions)):
        chars[:, position] = alphabet[(codes // base**k) % base]
    return chars.view("S12").ravel().astype(str).astype(object)


def give_personas_cases(directory: Directory, staff: Staff, intake: Intake, outcome: Outcome) -> None:
    """Make sure each caseworker persona has open cases, and the adviser some sealed ones, however small the seed.

    Cases are moved to the persona's service only when her own share falls short: the most recent open cases, those
    asking for her service's community and in its area first.
    """
    cases = outcome.cases
    taken = np.zeros(len(cases), dtype=bool)
    for username in ("caseworker", "byandfor"):
        member = staff.index(username)
        service = directory.first_service_of(staff.members[member].organisation_slug)
        taken |= cases.caseworker == member
        mine = (cases.caseworker == member) & (cases.status == CaseStatus.OPEN)
        short = PERSONA_OPEN_CASES - int(mine.sum())
        candidates = np.flatnonzero((cases.status == CaseStatus.OPEN) & ~cases.sealed & ~taken)
        if short <= 0 or not len(candidates):
            continue
        communities = directory.communities[service]
        asks = np.isin(intake.wants_by_and_for[cases.referral[candidates]], list(communities))
        borough = np.array([BOROUGH_CODES.index(b) if b else 0 for b in intake.borough[cases.referral[candidates]]])
        in_area = directory.covers[service, borough] | directory.all_london[service]
        same_type = directory.type_index[cases.service[candidates]] == directory.type_index[service]
        rank = np.lexsort((-cases.opened_at[candidates], ~same_type, ~in_area, ~asks))
        chosen = candidates[rank[:short]]
        cases.service[chosen] = service
        cases.caseworker[chosen] = member
        outcome.routed_service[cases.referral[chosen]] = service
        taken[chosen] = True
    adviser = staff.index("adviser")
    sealed_opened = np.flatnonzero(cases.sealed & (cases.opened_at != NA))
    if (cases.caseworker[sealed_opened] == adviser).sum() < ADVISER_CASES:
        rank = np.lexsort((-cases.opened_at[sealed_opened], cases.status[sealed_opened] != CaseStatus.OPEN))
        cases.caseworker[sealed_opened[rank[:ADVISER_CASES]]] = adviser


def give_manager_offers(directory: Directory, staff: Staff, outcome: Outcome) -> None:
    """Put a few of the referrals waiting on an offer in the manager persona's inbox, so she has offers to answer.

    When her own share falls short, the most recent offers to a type of service her organisation runs move to hers.
    """
    slug = staff.members[staff.index("manager")].organisation_slug
    hers = {int(directory.type_index[r.index]): r.index for r in directory.rows if r.org.slug == slug}
    routed = np.maximum(outcome.routed_service, 0)
    offered = outcome.status == Status.OFFERED
    mine = offered & np.isin(routed, list(hers.values()))
    candidates = np.flatnonzero(offered & ~mine & np.isin(directory.type_index[routed], list(hers)))[::-1]
    chosen = candidates[: max(MANAGER_OFFERS - int(mine.sum()), 0)]
    outcome.routed_service[chosen] = [hers[int(t)] for t in directory.type_index[routed[chosen]]]


def service_load(
    rng: np.random.Generator, directory: Directory, cases: Cases, now: int
) -> tuple[np.ndarray, np.ndarray]:
    """Capacity scaled to the volume seeded (services run near full), and each service's recent wait in days."""
    services = len(directory)
    open_now = np.bincount(cases.service[cases.status == CaseStatus.OPEN], minlength=services)
    capacity = np.maximum(5, np.ceil(open_now * rng.uniform(1.0, 1.25, services))).astype(np.int64)
    wait = directory.wait_days.astype(np.int64).copy()
    recent = (cases.opened_at != NA) & (cases.opened_at > now - 90 * DAY)
    for s in range(services):
        rows = recent & (cases.service == s)
        if rows.any():
            wait[s] = int(np.median(cases.opened_at[rows] - cases.accepted_at[rows]) // DAY)
    return capacity, wait


def _referred_by_personas(
    rng: np.random.Generator, staff: Staff, referring_org: np.ndarray, received: np.ndarray, now: int
) -> np.ndarray:
    """The police and health personas sent some of their organisations' recent referrals, so they have a list."""
    out = np.full(len(received), NA, dtype=np.int64)
    for username, days, share in (("police", 120, 0.2), ("health", 365, 0.5)):
        member = staff.index(username)
        sent = (referring_org == staff.members[member].organisation_slug) & (received > now - days * DAY)
        out[sent & bernoulli(rng, share, len(received))] = member
    return out
