"""Reads of cases for the people working them, always starting from the access policy."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.models import Membership, Organisation, Role, User
from carehub.cases.models import (
    SCALES,
    AbuseChange,
    Allocation,
    Case,
    CaseStatus,
    MeasureStage,
    OnwardReferral,
    OutcomeMeasure,
    SafetyPlan,
)
from carehub.core.choices import AbuseType, ServiceType
from carehub.referrals.selectors import (
    NO_FILTERS,
    Filter,
    Keyset,
    QueueFilters,
    QueuePage,
    filter_counts,
    keyset_page,
    risk_rank,
)

# Roles whose members can hold a case: caseworkers, and the independent service's advisers.
CASE_HOLDING_ROLES = (Role.CASEWORKER, Role.INDEPENDENT_ADVISER)
# A journey longer than this is a data fault, not a survivor's support: the walk stops rather than loop.
JOURNEY_LIMIT = 50


def managed_organisations(user) -> list[Organisation]:
    """Service-providing organisations the user manages: where they may allocate, transfer and see caseloads."""
    return [m.organisation for m in policy.memberships(user) if m.can_allocate and m.organisation.provides_services]


def can_allocate(user, case: Case) -> bool:
    return any(org.pk == case.service.organisation_id for org in managed_organisations(user))


# --- the waiting list --------------------------------------------------------------------------------------------


def wait_days(accepted_at: dt.datetime, today: dt.date | None = None) -> int:
    """Whole days since the service accepted her, counted in London dates (accepted yesterday at 23:59 is 1 day)."""
    today = today or timezone.localdate()
    return (today - timezone.localtime(accepted_at).date()).days


# Risk is the referral's, so neither case order is one index: the partial indexes case_waiting_idx and case_open_idx
# find a service's waiting cases and a caseworker's open ones, and those (a service's list, not the table) are sorted.
WAITING_ORDER = Keyset(risk_rank("referral__"), "accepted_at", "public_id")
CASELOAD_ORDER = Keyset(risk_rank("referral__"), "opened_at", "public_id")


def _waiting(user, service_id: int | None) -> QuerySet[Case]:
    cases = policy.cases_visible_to(user).filter(status=CaseStatus.WAITING)
    if service_id is not None:
        cases = cases.filter(service_id=service_id)
    return cases


def waiting_list(*, user, service_id: int | None = None, filters: QueueFilters = NO_FILTERS) -> QuerySet[Case]:
    """Cases waiting for a caseworker: highest risk first, then the longest waiting."""
    return (
        _waiting(user, service_id)
        .filter(filters.q("referral__"))
        .select_related("service", "referral")
        .annotate(risk_order=WAITING_ORDER.rank)
        .order_by("risk_order", "accepted_at", "public_id")
    )


def waiting_page(
    *, user, service_id: int | None = None, filters: QueueFilters, after: str = "", before: str = ""
) -> QueuePage:
    rows = _waiting(user, service_id).filter(filters.q("referral__")).select_related("service", "referral")
    return keyset_page(rows, WAITING_ORDER, after=after, before=before)


def waiting_filters(*, user, service_id: int | None = None, filters: QueueFilters) -> list[Filter]:
    return filter_counts(_waiting(user, service_id), filters, prefix="referral__")


@dataclass(frozen=True)
class WaitSummary:
    service_id: int
    service_name: str
    waiting: int
    median_days: float
    longest_days: int


def wait_summaries(*, user, today: dt.date | None = None) -> list[WaitSummary]:
    """Per service: how many are waiting, the median and the longest wait in days.

    The median is taken in Python over one column of the waiting cases: a waiting list is small whatever the size of
    the database, and SQLite has no median.
    """
    rows = _waiting(user, None).values_list("service_id", "service__name", "accepted_at")
    by_service: dict[tuple[int, str], list[int]] = {}
    for service_id, name, accepted_at in rows:
        by_service.setdefault((service_id, name), []).append(wait_days(accepted_at, today))
    return [
        WaitSummary(service_id, name, len(waits), statistics.median(waits), max(waits))
        for (service_id, name), waits in sorted(by_service.items(), key=lambda item: item[0][1])
    ]


# --- caseloads ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caseload:
    membership: Membership
    open_cases: int


def caseloads(*, user) -> list[Caseload]:
    """Each caseworker of the organisations the user manages, with the open cases they hold there."""
    orgs = [org.pk for org in managed_organisations(user)]
    staff = (
        Membership.objects.filter(organisation_id__in=orgs, role__in=CASE_HOLDING_ROLES, is_active=True)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__full_name", "user__username")
    )
    counts = {
        (org_id, worker_id): n
        for org_id, worker_id, n in policy.cases_visible_to(user)
        .filter(status=CaseStatus.OPEN, caseworker__isnull=False)
        .values("service__organisation_id", "caseworker_id")
        .annotate(n=Count("pk"))
        .values_list("service__organisation_id", "caseworker_id", "n")
    }
    return [Caseload(m, counts.get((m.organisation_id, m.user_id), 0)) for m in staff]


def open_cases_of(*, user, caseworker_id: int) -> tuple[User, QuerySet[Case]] | None:
    """A caseworker and the open cases they hold, as their manager sees them; None when they are not the user's staff
    (so another organisation's worker looks exactly like one who does not exist)."""
    orgs = [org.pk for org in managed_organisations(user)]
    staff = (
        Membership.objects.filter(organisation_id__in=orgs, user_id=caseworker_id, role__in=CASE_HOLDING_ROLES)
        .select_related("user")
        .first()
    )
    if staff is None:
        return None
    cases = policy.cases_visible_to(user).filter(caseworker_id=caseworker_id, service__organisation_id__in=orgs)
    return staff.user, _open(cases)


def own_caseload(*, user) -> QuerySet[Case]:
    return _open(policy.cases_visible_to(user).filter(caseworker=user))


def _open(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases, highest risk first, then the longest open: who needs attention first."""
    return (
        cases.filter(status=CaseStatus.OPEN)
        .select_related("service", "referral")
        .annotate(risk_order=CASELOAD_ORDER.rank)
        .order_by("risk_order", "opened_at", "public_id")
    )


def caseload_page(
    *, user, caseworker_id: int, filters: QueueFilters, after: str = "", before: str = ""
) -> tuple[User, QueuePage, list[Filter]] | None:
    """A caseworker's open cases as their manager pages through them, with filter counts; None as open_cases_of."""
    found = open_cases_of(user=user, caseworker_id=caseworker_id)
    if found is None:
        return None
    worker, cases = found
    page = keyset_page(cases.filter(filters.q("referral__")), CASELOAD_ORDER, after=after, before=before)
    return worker, page, filter_counts(cases, filters, prefix="referral__")


def eligible_caseworkers(case: Case) -> QuerySet[Membership]:
    """Active members of the case's organisation who can hold a case."""
    return Membership.objects.filter(
        organisation_id=case.service.organisation_id,
        role__in=CASE_HOLDING_ROLES,
        is_active=True,
        user__is_active=True,
    )


def eligible_caseworker(case: Case, user_id: int) -> User | None:
    """The member chosen on the allocation or transfer form, if she may still hold this case (None otherwise, which
    the service refuses as it refuses anyone outside the service)."""
    member = eligible_caseworkers(case).filter(user_id=user_id).select_related("user").first()
    return member.user if member else None


def allocation_choices(case: Case, *, user) -> list[tuple[int, str]]:
    """Who the case can go to, each with the open cases they already hold, so a manager can balance the load."""
    members = eligible_caseworkers(case).select_related("user").order_by("user__full_name", "user__username")
    held = dict(
        policy.cases_visible_to(user)
        .filter(service__organisation_id=case.service.organisation_id, status=CaseStatus.OPEN)
        .values("caseworker_id")
        .annotate(n=Count("pk"))
        .values_list("caseworker_id", "n")
    )
    choices: dict[int, str] = {}
    for m in members:
        n = held.get(m.user_id, 0)
        choices[m.user_id] = f"{m.user} ({n} open case{'' if n == 1 else 's'})"
    return list(choices.items())


# --- the case page -----------------------------------------------------------------------------------------------


@dataclass
class Sealed:
    """A record with its sealed text opened for display; `text` is None once her key is destroyed."""

    record: object
    text: dict | None


@dataclass(frozen=True)
class OutcomeRow:
    question: str
    start: object
    closing: object
    change: int | None = None


@dataclass(frozen=True)
class Onward:
    """An onward referral as its sender sees it: when, what for, and its status (never where it went)."""

    link: OnwardReferral
    needs: list[str]
    status: str
    note: str | None


SCALE_LABELS = {
    "feels_safe": "Feels safe",
    "wellbeing": "Wellbeing",
    "quality_of_life": "Quality of life",
    "confidence_help": "Confident she knows where to get help",
}


@dataclass
class CasePage:
    goals: list[Sealed] = field(default_factory=list)
    safety_plan: Sealed | None = None
    safety_plan_revision: int = 0
    contacts: list[Sealed] = field(default_factory=list)
    contact_minutes: int = 0
    documents: list[Sealed] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    start: OutcomeMeasure | None = None
    closing: OutcomeMeasure | None = None
    change: dict[str, int] | None = None
    onward: list[Onward] = field(default_factory=list)
    journey: list[Case] = field(default_factory=list)

    def outcome_rows(self) -> list[OutcomeRow]:
        """Question by question: the answer at the start, at closure, and the change in each scale."""
        measured = [m for m in (self.start, self.closing) if m is not None and m.answered]
        if not measured:
            return []
        rows = [
            OutcomeRow(
                SCALE_LABELS[name],
                _answer(self.start, name),
                _answer(self.closing, name),
                self.change[name] if self.change else None,
            )
            for name in SCALES
        ]
        abuse_types = sorted({code for m in measured for code in m.abuse})
        for code in abuse_types:
            rows.append(
                OutcomeRow(
                    AbuseType(code).label if code in AbuseType.values else code,
                    _abuse_answer(self.start, code),
                    _abuse_answer(self.closing, code),
                )
            )
        return rows


def _answer(measure: OutcomeMeasure | None, name: str):
    if measure is None:
        return "Not recorded"
    return getattr(measure, name) if measure.answered else measure.get_not_answered_display()


def _abuse_answer(measure: OutcomeMeasure | None, code: str) -> str:
    if measure is None:
        return "Not recorded"
    if not measure.answered:
        return measure.get_not_answered_display()
    value = measure.abuse.get(code)
    return AbuseChange(value).label if value in AbuseChange.values else "Not asked"


def case_page(case: Case, *, user) -> CasePage:
    """Everything on a case's page, with her sealed text opened. The caller has fetched the case through the policy
    (which audited the view), so every record here belongs to a case the user may see."""
    survivor = case.survivor
    page = CasePage()
    page.goals = [Sealed(g, survivor.unseal(g.text_sealed)) for g in case.goals.all()]
    plan = SafetyPlan.objects.filter(case=case).select_related("recorded_by").first()
    if plan is not None:
        page.safety_plan = Sealed(plan, survivor.unseal(plan.plan_sealed))
        page.safety_plan_revision = plan.revision
    contacts = list(case.contacts.select_related("recorded_by"))
    page.contacts = [Sealed(c, survivor.unseal(c.note_sealed)) for c in contacts]
    page.contact_minutes = sum(c.minutes for c in contacts)
    page.documents = [
        Sealed(d, survivor.unseal(d.details_sealed)) for d in case.documents.select_related("recorded_by")
    ]
    page.allocations = list(case.allocations.select_related("from_caseworker", "to_caseworker", "by"))
    measures = {m.stage: m for m in case.outcomes.all()}
    page.start, page.closing = measures.get(MeasureStage.START), measures.get(MeasureStage.CLOSURE)
    page.change = page.closing.change_from(page.start) if page.closing else None
    page.onward = [
        Onward(
            link=o,
            needs=[ServiceType(n).label for n in o.referral.needs if n in ServiceType.values],
            status=o.referral.get_status_display(),
            note=(survivor.unseal(o.note_sealed) or {}).get("note"),
        )
        for o in case.onward_referrals.select_related("referral", "created_by")
    ]
    page.journey = journey(case, user=user, onward_referral_ids=[o.link.referral_id for o in page.onward])
    return page


def journey_case_ids(case: Case, *, onward_referral_ids: list[int] | None = None) -> set[int]:
    """Every case in the same journey (see OnwardReferral): up to the first case, then down through every onward
    referral that a service accepted. One query per step; journeys are a handful of services long.

    `onward_referral_ids`: the referrals this case has made onward, when the caller has read them already (the case
    page has), so the step down from this case asks only for their cases, and nothing when there are none."""
    root, referral_id, seen = case.pk, case.referral_id, {case.pk}
    for _ in range(JOURNEY_LIMIT):
        parent = (
            OnwardReferral.objects.filter(referral_id=referral_id)
            .values_list("from_case_id", "from_case__referral_id")
            .first()
        )
        if parent is None or parent[0] in seen:
            break
        root, referral_id = parent
        seen.add(root)
    members, frontier = {root}, {root}
    while frontier and len(members) < JOURNEY_LIMIT:
        if onward_referral_ids is not None and frontier == {case.pk}:
            onward = onward_referral_ids
            reached = Case.objects.filter(referral_id__in=onward).values_list("pk", flat=True) if onward else []
        else:
            onward = OnwardReferral.objects.filter(from_case_id__in=frontier).values("referral_id")
            reached = Case.objects.filter(referral_id__in=onward).values_list("pk", flat=True)
        frontier = set(reached) - members
        members |= frontier
    return members


def journey(case: Case, *, user, onward_referral_ids: list[int] | None = None) -> list[Case]:
    """The cases of her journey that this user may see, in the order they began; empty unless that is two or more.

    Cases the user may not see are left out without a trace, and a journey of which the user sees one case is not
    shown at all, so the page never says that she was supported somewhere the user has no business knowing about.
    """
    ids = journey_case_ids(case, onward_referral_ids=onward_referral_ids)
    if len(ids) == 1:
        return []
    visible = list(
        policy.cases_visible_to(user).filter(pk__in=ids).select_related("service").order_by("accepted_at", "pk")
    )
    return visible if len(visible) > 1 else []


def open_case_counts() -> dict[int, int]:
    """Cases waiting or open, per service: what routing weighs against each service's capacity (not per user: a
    count, no record, so it does not go through the policy; cases.apps hands it to referrals.routing)."""
    return dict(
        Case.objects.filter(status__in=[CaseStatus.WAITING, CaseStatus.OPEN])
        .values_list("service_id")
        .annotate(n=Count("id"))
        .values_list("service_id", "n")
    )


def open_cases(*, user: User) -> QuerySet[Case]:
    """The cases list: every case the user may see that is not closed, longest waiting first."""
    return (
        policy.cases_visible_to(user)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("service", "caseworker", "referral")
        .order_by("accepted_at")
    )


def start_measures_recorded(case: Case) -> bool:
    """Whether her outcome measures at the start of support are recorded (they are taken once)."""
    return case.outcomes.filter(stage=MeasureStage.START).exists()
