"""Writing a plan's tables: the directory and staff through the ORM (they are small), the rest in bulk.

Plan indices become database ids by adding the first free id of each table, so foreign keys are known before any
row is written and no table waits for another's generated keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
from django.contrib.auth.hashers import make_password

from carehub.accounts.models import Membership, Organisation, User
from carehub.cases.models import SCALES, Allocation, Case, OutcomeMeasure
from carehub.core import public_ids
from carehub.core.choices import ServiceType
from carehub.core.london import borough_name
from carehub.core.public_ids import new_public_id
from carehub.demo.identities import SealedRow
from carehub.demo.personas import DEMO_PASSWORD
from carehub.demo.plan import Plan
from carehub.demo.writer import BulkWriter, ids
from carehub.directory.models import Contract, Service
from carehub.people.linkage_keys import KEY_FIELDS
from carehub.people.models import DataKey, LinkageRecord, Survivor
from carehub.people.monitoring import EQUALITY_FIELDS, IMMIGRATION_FIELDS
from carehub.referrals import dash
from carehub.referrals.models import DashAssessment, Offer, OfferStatus, Referral, Status
from carehub.synthetic import london
from carehub.synthetic.directory import ABUSE_TYPES, SERVICE_TYPES
from carehub.synthetic.intake import mask_to_json
from carehub.synthetic.sampling import NA

CHUNK = 100_000
CONTRACT_GROWTH = 1.06  # the current contracts are worth a little more than the previous ones
HUB_REASON = "Best fit for her needs, area and eligibility"
# Mixed with the seed for survivors' public identifiers: a stream of their own, leaving the plan's draws as they were.
SURVIVOR_PUBLIC_IDS = 0x5E1D
# Tables filled in bulk, in an order that lets SQLite check deferred foreign keys against rows already there.
BULK_MODELS = (Referral, Case, DataKey, Survivor, LinkageRecord, DashAssessment, Offer, Allocation, OutcomeMeasure)


def write_directory(plan: Plan) -> tuple[dict[str, int], np.ndarray]:
    """Organisations, services and contracts; returns organisation ids by slug and service ids by plan index.

    Organisations and services that already exist (by slug, and by organisation and name) are kept as they are.
    """
    slugs = [spec.slug for spec in london.ORGANISATIONS]
    existing = set(Organisation.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    Organisation.objects.bulk_create(
        [
            Organisation(slug=o.slug, name=o.name, kind=o.kind, led_by_and_for=[str(c) for c in o.communities])
            for o in london.ORGANISATIONS
            if o.slug not in existing
        ]
    )
    org_ids = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    known = set(Service.objects.filter(organisation_id__in=org_ids.values()).values_list("organisation_id", "name"))
    new = [
        Service(organisation_id=org_ids[row.org.slug], name=row.spec.name, **_service_fields(plan, row.index))
        for row in plan.directory.rows
        if (org_ids[row.org.slug], row.spec.name) not in known
    ]
    Service.objects.bulk_create(new)
    by_key = {
        (org, name): pk
        for org, name, pk in Service.objects.filter(organisation_id__in=org_ids.values()).values_list(
            "organisation_id", "name", "pk"
        )
    }
    service_ids = np.array([by_key[(org_ids[r.org.slug], r.spec.name)] for r in plan.directory.rows], dtype=np.int64)
    created = {(s.organisation_id, s.name) for s in new}
    Contract.objects.bulk_create(
        [
            contract
            for row in plan.directory.rows
            if (org_ids[row.org.slug], row.spec.name) in created
            for contract in _contracts(plan, row.index, service_ids[row.index])
        ]
    )
    return org_ids, service_ids


def _service_fields(plan: Plan, index: int) -> dict:
    spec = plan.directory.rows[index].spec
    area = ", ".join(borough_name(code) for code in spec.area) or "all of London"
    return {
        "service_type": spec.service_type,
        "description": f"{ServiceType(spec.service_type).label} for {area}.",
        "specialisms": [str(a) for a in spec.specialisms],
        "languages": ["en", *spec.languages],
        "covers_all_london": not spec.area,
        "boroughs": list(spec.area),
        "min_age": spec.min_age,
        "max_age": spec.max_age,
        "accepts_men": spec.accepts_men,
        "accepts_nrpf": spec.accepts_nrpf,
        "capacity": int(plan.capacity[index]),
        "caseworker_fte": plan.caseworker_fte[index],
        "current_wait_days": int(plan.current_wait_days[index]),
        "address": spec.address,
    }


def _contracts(plan: Plan, index: int, service_id: int) -> list[Contract]:
    spec = plan.directory.rows[index].spec
    switch = plan.directory.contract_switch
    value = spec.places * london.PLACE_COST_POUNDS[spec.service_type] * 100
    periods = (
        (switch.replace(year=switch.year - 3), spec.weeks[0], value),
        (switch, spec.weeks[1], value * CONTRACT_GROWTH),
    )
    return [
        Contract(
            service_id=int(service_id),
            funder=spec.funder,
            start=start,
            end=start.replace(year=start.year + 3) - dt.timedelta(days=1),
            support_weeks=weeks,
            # Longer commissioned support costs more per place.
            annual_value_pence=int(round(amount * (1 + 0.15 * (weeks > 12)), -5)),
        )
        for start, weeks, amount in periods
    ]


def write_staff(plan: Plan, org_ids: dict[str, int]) -> np.ndarray:
    """Users and memberships for the personas and generated staff; returns user ids by staff index.

    The demo password is hashed once (argon2, the first hasher) and the hash shared: hashing it per user would
    cost seconds for nothing.
    """
    members = plan.staff.members
    usernames = [m.username for m in members]
    password = make_password(DEMO_PASSWORD)
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    new = [m for m in members if m.username not in existing]
    User.objects.bulk_create([User(username=m.username, full_name=m.full_name, password=password) for m in new])
    by_name = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    memberships = [
        Membership(user_id=by_name[m.username], organisation_id=org_ids[m.organisation_slug], role=m.role)
        for m in members
    ]
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)
    return np.array([by_name[m.username] for m in members], dtype=np.int64)


def write_referrals(
    writer: BulkWriter,
    plan: Plan,
    first: dict,
    org_ids: dict[str, int],
    service_ids: np.ndarray,
    user_ids: np.ndarray,
) -> int:
    intake, outcome = plan.intake, plan.outcome
    org_lookup = np.vectorize(lambda slug: org_ids[slug] if slug else None, otypes=[object])
    written = 0
    for rows in _chunks(len(plan)):
        written += writer.write(
            Referral,
            {
                "id": ids(first[Referral], np.arange(rows.start, rows.stop)),
                "reference": plan.reference[rows].tolist(),
                "survivor_id": ids(first[Survivor], plan.linkage.survivor[rows]),
                "channel": intake.channel[rows].tolist(),
                "referring_organisation_id": org_lookup(intake.referring_org[rows]).tolist(),
                "referred_by_id": _map_ids(user_ids, plan.referred_by[rows]),
                "received_at": writer.datetimes(plan.received[rows]),
                "status": outcome.status[rows].tolist(),
                "sealed": plan.sealed[rows].tolist(),
                "perpetrator_police": intake.perpetrator_police[rows].tolist(),
                "perpetrator_relationship": intake.relationship[rows].tolist(),
                "borough": intake.borough[rows].tolist(),
                "age_band": intake.age_band[rows].tolist(),
                "abuse_types": mask_to_json(intake.abuse_mask[rows], ABUSE_TYPES).tolist(),
                "needs": mask_to_json(intake.needs_mask[rows], SERVICE_TYPES).tolist(),
                "wants_by_and_for": intake.wants_by_and_for[rows].tolist(),
                "language": intake.language[rows].tolist(),
                "interpreter_needed": intake.interpreter[rows].tolist(),
                "has_nrpf": intake.has_nrpf[rows].tolist(),
                "risk_level": plan.risk_level[rows].tolist(),
                "dash_score": _nullable(plan.dash_score[rows]),
                "marac": plan.marac[rows].tolist(),
                "marac_repeat": plan.marac_repeat[rows].tolist(),
                "age_at_referral": _nullable(intake.ages[rows]),
                "worker_gender": intake.worker_gender[rows].tolist(),
                "is_repeat": outcome.is_repeat[rows].tolist(),
                "previous_referral_id": ids(first[Referral], outcome.previous_referral[rows]),
                "routed_service_id": _map_ids(service_ids, outcome.routed_service[rows]),
                "triaged_at": writer.datetimes(outcome.triaged_at[rows]),
                "routed_at": writer.datetimes(outcome.routed_at[rows]),
            },
        )
    return written


def write_cases(writer: BulkWriter, plan: Plan, first: dict, service_ids: np.ndarray, user_ids: np.ndarray) -> int:
    cases = plan.cases
    survivor = plan.linkage.survivor
    written = 0
    for rows in _chunks(len(cases)):
        written += writer.write(
            Case,
            {
                "id": ids(first[Case], np.arange(rows.start, rows.stop)),
                "public_id": _public_ids(plan, rows.stop - rows.start),
                "referral_id": ids(first[Referral], cases.referral[rows]),
                "survivor_id": ids(first[Survivor], survivor[cases.referral[rows]]),
                "service_id": _map_ids(service_ids, cases.service[rows]),
                "caseworker_id": _map_ids(user_ids, cases.caseworker[rows]),
                "status": cases.status[rows].tolist(),
                "sealed": cases.sealed[rows].tolist(),
                "accepted_at": writer.datetimes(cases.accepted_at[rows]),
                "opened_at": writer.datetimes(cases.opened_at[rows]),
                "closed_at": writer.datetimes(cases.closed_at[rows]),
                "closure_reason": cases.closure_reason[rows].tolist(),
            },
        )
    return written


def write_survivors(writer: BulkWriter, plan: Plan, first: dict, sealed: Iterable[list[SealedRow]]) -> int:
    """Data keys, survivors and their linkage keys, chunk by chunk as the sealing workers finish them.

    Survivors with a sealed referral get no linkage keys, as survivor_create gives none on the sealed pathway: they
    are never matched with anyone.
    """
    survivors = plan.survivors
    on_sealed_pathway = np.zeros(len(survivors), dtype=bool)
    on_sealed_pathway[plan.linkage.survivor[plan.sealed]] = True
    public = draw_public_ids(np.random.default_rng([plan.seed, SURVIVOR_PUBLIC_IDS]), len(survivors))
    start = 0
    written = 0
    for chunk in sealed:
        rows = slice(start, start + len(chunk))
        start = rows.stop
        wrapped, identity, email, phone, name_dob, linkage = (list(column) for column in zip(*chunk, strict=True))
        created = writer.datetimes(survivors.first_seen[rows])
        key_ids = ids(first[DataKey], np.arange(rows.start, rows.stop))
        written += writer.write(DataKey, {"id": key_ids, "wrapped": wrapped, "created_at": created})
        columns = {
            "id": ids(first[Survivor], np.arange(rows.start, rows.stop)),
            "public_id": public[rows],
            "data_key_id": key_ids,
            "identity_sealed": identity,
            "email_lookup": email,
            "phone_lookup": phone,
            "name_dob_lookup": name_dob,
            "created_at": created,
        }
        for name in EQUALITY_FIELDS + IMMIGRATION_FIELDS:
            columns[name] = survivors.columns[name][rows].tolist()
        written += writer.write(Survivor, columns)
        written += _write_linkage(writer, columns["id"], linkage, ~on_sealed_pathway[rows])
    return written


def draw_public_ids(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct public identifiers in core.public_ids' form, drawn from `rng` so the same seed gives the same."""
    base, length = len(public_ids.ALPHABET), public_ids.LENGTH
    codes = rng.integers(0, base**length, n, dtype=np.int64)  # 32**12 = 2**60: fits
    while True:
        _, first = np.unique(codes, return_index=True)
        repeated = np.ones(n, dtype=bool)
        repeated[first] = False
        if not repeated.any():
            break
        codes[repeated] = rng.integers(0, base**length, int(repeated.sum()), dtype=np.int64)
    alphabet = np.frombuffer(public_ids.ALPHABET.encode(), dtype=np.uint8)
    chars = np.empty((n, length), dtype=np.uint8)
    for position in reversed(range(length)):
        chars[:, position] = alphabet[codes % base]
        codes //= base
    return np.char.decode(chars.view(f"S{length}").ravel(), "ascii").tolist()


def _write_linkage(writer: BulkWriter, survivor_ids: list[int], linkage: list[tuple[str, ...]], kept) -> int:
    keep = np.flatnonzero(kept)
    if not len(keep):
        return 0
    columns = {"survivor_id": [survivor_ids[i] for i in keep]}
    for position, field in enumerate(KEY_FIELDS):
        columns[field] = [linkage[i][position] for i in keep]
    return writer.write(LinkageRecord, columns)


def _public_ids(plan: Plan, n: int) -> list[str]:
    """Fresh public identifiers from the plan's seeded generator. The writer would repeat one default for every row
    (and break the unique constraint), and a random one would make two seeds of the same number differ."""
    return [new_public_id(plan.public_ids) for _ in range(n)]


def _chunks(n: int) -> Iterable[slice]:
    return (slice(start, min(start + CHUNK, n)) for start in range(0, n, CHUNK))


def _map_ids(id_table: np.ndarray, indices: np.ndarray) -> list[int | None]:
    """Ids from a lookup table (services, users) for plan indices; NA gives None."""
    out = id_table[np.where(indices < 0, 0, indices)].astype(object)
    out[indices < 0] = None
    return out.tolist()


def _nullable(values: np.ndarray) -> list[int | None]:
    out = values.astype(object)
    out[values < 0] = None
    return out.tolist()


def write_assessments(writer: BulkWriter, plan: Plan, first: dict, user_ids: np.ndarray) -> int:
    """A DASH assessment for every referral triaged, by a hub worker (by the adviser for the sealed pathway)."""
    risk = plan.intake.risk
    assessed = np.flatnonzero(plan.outcome.triaged_at != NA)
    hub = np.array(plan.staff.hub_workers)
    assessor = np.where(plan.sealed, plan.staff.index("adviser"), hub[np.arange(len(plan)) % len(hub)])
    version = dash.rules_from_settings().version
    written = 0
    for part in _chunks(len(assessed)):
        rows = assessed[part]
        high = plan.marac[rows]
        written += writer.write(
            DashAssessment,
            {
                "referral_id": ids(first[Referral], rows),
                "answers": risk.answers_json(rows),
                "score": risk.score[rows].tolist(),
                "professional_judgement": risk.judged_high[rows].tolist(),
                "professional_judgement_reason": risk.judgement_reason(rows),
                "police_callouts_12_months": risk.callouts[rows].tolist(),
                "high_risk": high.tolist(),
                "high_risk_reasons": risk.reasons(rows, plan.marac_repeat[rows]),
                "marac_referral": high.tolist(),
                "marac_repeat": plan.marac_repeat[rows].tolist(),
                "rules_version": [version] * len(rows),
                "assessed_at": writer.datetimes(plan.outcome.triaged_at[rows]),
                "assessed_by_id": _map_ids(user_ids, assessor[rows]),
            },
        )
    return written


def write_offers(writer: BulkWriter, plan: Plan, first: dict, service_ids: np.ndarray, user_ids: np.ndarray) -> int:
    """The hub's offer of each routed referral: pending while offered, accepted when a case followed, withdrawn.

    Sealed referrals have none: the sealed pathway goes straight to the independent advisory service.
    """
    outcome, cases = plan.outcome, plan.cases
    offered = np.flatnonzero((outcome.routed_at != NA) & ~plan.sealed)
    case_of = np.full(len(plan), NA, dtype=np.int64)
    case_of[cases.referral] = np.arange(len(cases))
    status = np.select(
        [case_of[offered] != NA, outcome.status[offered] == Status.WITHDRAWN],
        [OfferStatus.ACCEPTED.value, OfferStatus.WITHDRAWN.value],
        OfferStatus.PENDING.value,
    ).astype(object)
    accepted_at = np.where(case_of[offered] != NA, cases.accepted_at[case_of[offered]], NA)
    service = outcome.routed_service[offered]
    managers = np.array([plan.staff.managers[row.org.slug] for row in plan.directory.rows])
    hub = np.array(plan.staff.hub_workers)
    written = 0
    for part in _chunks(len(offered)):
        rows = offered[part]
        responded = accepted_at[part] != NA
        written += writer.write(
            Offer,
            {
                "public_id": _public_ids(plan, len(rows)),
                "referral_id": ids(first[Referral], rows),
                "service_id": _map_ids(service_ids, service[part]),
                "status": status[part].tolist(),
                "rank": [1] * len(rows),
                "hub_reason": [HUB_REASON] * len(rows),
                "offered_at": writer.datetimes(outcome.routed_at[rows]),
                "offered_by_id": _map_ids(user_ids, hub[rows % len(hub)]),
                "responded_at": writer.datetimes(accepted_at[part]),
                "responded_by_id": _map_ids(user_ids, np.where(responded, managers[service[part]], NA)),
            },
        )
    return written


def write_allocations(writer: BulkWriter, plan: Plan, first: dict, user_ids: np.ndarray) -> int:
    """Each case's first allocation, made by its service's manager when the case opened."""
    cases = plan.cases
    allocated = np.flatnonzero(cases.caseworker != NA)
    managers = np.array([plan.staff.managers[row.org.slug] for row in plan.directory.rows])
    written = 0
    for part in _chunks(len(allocated)):
        rows = allocated[part]
        written += writer.write(
            Allocation,
            {
                "case_id": ids(first[Case], rows),
                "from_caseworker_id": [None] * len(rows),
                "to_caseworker_id": _map_ids(user_ids, cases.caseworker[rows]),
                "at": writer.datetimes(cases.opened_at[rows]),
                "by_id": _map_ids(user_ids, managers[cases.service[rows]]),
            },
        )
    return written


def write_measures(writer: BulkWriter, plan: Plan, first: dict, user_ids: np.ndarray) -> int:
    measures, cases = plan.measures, plan.cases
    written = 0
    for rows in _chunks(len(measures)):
        case = measures.case[rows]
        columns = {
            "case_id": ids(first[Case], case),
            "stage": measures.stage[rows].tolist(),
            "not_answered": measures.not_answered[rows].tolist(),
            "abuse": measures.abuse[rows].tolist(),
            "recorded_at": writer.datetimes(measures.recorded_at[rows]),
            "recorded_by_id": _map_ids(user_ids, cases.caseworker[case]),
        }
        for k, scale in enumerate(SCALES):
            columns[scale] = _nullable(measures.scores[rows, k])
        written += writer.write(OutcomeMeasure, columns)
    return written
