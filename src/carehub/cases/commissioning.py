"""The commissioning view of case data: one plain row per closed case, for the extract to carry to analysis.

The question behind it (issue 4, DOMAIN.md "Support duration and repeat referrals"): does support longer than the
commissioned 12 weeks reduce repeat referrals? So each row says how long support lasted, how it ended, what the
contract in force commissioned, and whether the survivor was referred again within 3, 6 and 12 months of closure,
with what analysis needs to treat the follow-up as right-censored.

Coming back is counted per person, not per survivor record. A survivor who is referred again often arrives as a new
survivor record (another agency, a misspelt name, a new address); when a hub worker confirms that it is the same woman
(repeats.services.match_decide), the records stay apart but are joined into one person (`Survivor.person`, the lowest
survivor id among them). A later referral on any of her records counts as a repeat of each of her cases.

This is not a per-user selector: it reads every closed case and is for the extract (itself a declared operation),
never for a page. It returns no identity: no names, no references, no dates finer than a month. `case_id`,
`survivor_id` and `person_id` are the database's surrogate keys, there so the extract can join rows to outcome and
equality tables and cluster errors per person; the extract must replace them with keyed pseudonyms before anything
leaves.

Sealed cases (the independent advisory pathway) are included, because leaving them out would hide that service's
outcomes from its commissioners; but as counts-safe rows: the same columns as every other row and no more, with
`case_id`, `survivor_id` and `person_id` blanked, so a sealed row can be counted and aggregated (with suppression,
later) but never joined to anything that describes her.

Efficiency: one query, whatever the number of cases. The next referral after closure, the contract in force and the
onward-referral links are correlated subqueries the database answers from indexes, and the outcome measures are two
LEFT JOINs; rows stream from the database in chunks. Python only does arithmetic on each row. The next referral is
one of two subqueries, chosen per row by a CASE so only one runs: for a survivor no confirmed link joins to anyone
(nearly all) her own referrals, by the index on Referral.survivor; for a linked survivor, every referral of her person,
by the index on Survivor.person and then Referral.survivor. Neither needs the decisions themselves, nor a walk over
links per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TypedDict

from django.db.models import Case as SQLCase
from django.db.models import Exists, FilteredRelation, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from carehub.cases.models import SCALES, Case, CaseStatus, MeasureStage, OnwardReferral
from carehub.core.dates import months_later
from carehub.directory.models import Contract
from carehub.referrals.models import Referral


class ClosedCaseRow(TypedDict):
    case_id: int | None  # surrogate key for the extract to pseudonymise; None on sealed rows
    survivor_id: int | None  # likewise: the survivor record the case is on; None on sealed rows
    person_id: int | None  # the person she is (Survivor.person, or survivor_id when unlinked): clusters her cases
    sealed: bool
    service_type: str
    closure_reason: str
    risk_level: str  # at referral
    closed_month: str  # "YYYY-MM", London time
    waited_days: int | None  # accepted to opened; None if never opened
    support_days: int | None  # opened to closed; None if closed while still waiting
    support_weeks: float | None
    commissioned_weeks: int | None  # Contract.support_weeks in force when support began; None without a contract
    continued_from_earlier_case: bool  # reached this service by onward referral from another case
    referred_on: bool  # this case referred her on to another service
    closing_measures: str  # "answered", "declined", "unreachable" or "missing"
    change_feels_safe: int | None  # closing minus starting score; None unless both answered
    change_wellbeing: int | None
    change_quality_of_life: int | None
    change_confidence_help: int | None
    rereferred: bool  # any later referral of her (on any of her records) before the end of data
    days_to_rereferral: int | None
    days_observed: int  # closure to the end of data: the follow-up, for censoring
    repeat_within_3_months: bool | None  # None: not re-referred, and fewer than 3 months observed (censored)
    repeat_within_6_months: bool | None
    repeat_within_12_months: bool | None


COLUMNS: tuple[str, ...] = tuple(ClosedCaseRow.__annotations__)

_VALUES = (
    "pk",
    "survivor_id",
    "person",
    "sealed",
    "service__service_type",
    "closure_reason",
    "referral__risk_level",
    "accepted_at",
    "opened_at",
    "closed_at",
    "commissioned_weeks",
    "continued",
    "referred_on",
    "next_referral_at",
    "start__id",
    "start__not_answered",
    *(f"start__{s}" for s in SCALES),
    "closing__id",
    "closing__not_answered",
    *(f"closing__{s}" for s in SCALES),
)


def closed_case_rows(*, end_of_data: dt.datetime | None = None, chunk_size: int = 10_000) -> Iterator[ClosedCaseRow]:
    """One row per case closed by `end_of_data` (default now), in case order.

    A repeat referral is a later Referral of the same person received after the case closed and by the end of data:
    on her own survivor record or on any record confirmed to be her (Survivor.person). Onward referrals
    (OnwardReferral) are left out: being referred on is continuity of support, not coming back. A sealed case counts
    only its own survivor's referrals: the sealed pathway is never linked to anyone.
    `repeat_within_N_months` is True if she was re-referred within N calendar months of closure, False if she was
    not and N months have been observed, and None if she was not but the data end before N months: censored, so
    analysis can neither count it a success nor drop the case silently.
    """
    end = end_of_data or timezone.now()
    london = timezone.get_default_timezone()  # looked up once: per row it would cost more than the row itself
    values = _closed_cases(end).values_list(*_VALUES).iterator(chunk_size=chunk_size)
    return (_row(dict(zip(_VALUES, v, strict=True)), end, london) for v in values)


def _next_referral(referrals, end: dt.datetime) -> Subquery:
    """The first of `referrals` received after the case closed and by `end`, onward referrals left out."""
    onward = OnwardReferral.objects.filter(referral_id=OuterRef("pk"))
    return Subquery(
        referrals.filter(received_at__gt=OuterRef("closed_at"), received_at__lte=end)
        .filter(~Exists(onward))
        .order_by("received_at")
        .values("received_at")[:1]
    )


def _closed_cases(end: dt.datetime):
    own = _next_referral(Referral.objects.filter(survivor_id=OuterRef("survivor_id")), end)
    # Linked records are never sealed (repeats never links the sealed pathway); sealed=False says so here as well.
    linked = _next_referral(Referral.objects.filter(survivor__person=OuterRef("survivor__person"), sealed=False), end)
    unlinked = Q(survivor__person__isnull=True) | Q(sealed=True)
    contract = (
        Contract.objects.filter(
            service_id=OuterRef("service_id"), start__lte=OuterRef("began_on"), end__gte=OuterRef("began_on")
        )
        .order_by("-start", "-pk")
        .values("support_weeks")[:1]
    )
    return (
        Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=False, closed_at__lte=end)
        .annotate(
            began_on=TruncDate(Coalesce("opened_at", "accepted_at")),
            commissioned_weeks=Subquery(contract),
            person=Coalesce("survivor__person", "survivor_id"),
            next_referral_at=SQLCase(When(unlinked, then=own), default=linked),
            continued=Exists(OnwardReferral.objects.filter(referral_id=OuterRef("referral_id"))),
            referred_on=Exists(OnwardReferral.objects.filter(from_case_id=OuterRef("pk"))),
            start=FilteredRelation("outcomes", condition=Q(outcomes__stage=MeasureStage.START)),
            closing=FilteredRelation("outcomes", condition=Q(outcomes__stage=MeasureStage.CLOSURE)),
        )
        .order_by("pk")
    )


def _row(v: dict, end: dt.datetime, london: dt.tzinfo) -> ClosedCaseRow:
    closed, opened, next_at = v["closed_at"], v["opened_at"], v["next_referral_at"]
    closed_local = closed.astimezone(london)
    support_days = (closed - opened).days if opened else None
    sealed = v["sealed"]
    row: ClosedCaseRow = {
        "case_id": None if sealed else v["pk"],
        "survivor_id": None if sealed else v["survivor_id"],
        "person_id": None if sealed else v["person"],
        "sealed": sealed,
        "service_type": v["service__service_type"],
        "closure_reason": v["closure_reason"],
        "risk_level": v["referral__risk_level"],
        "closed_month": f"{closed_local.year:04d}-{closed_local.month:02d}",
        "waited_days": (opened - v["accepted_at"]).days if opened else None,
        "support_days": support_days,
        "support_weeks": round(support_days / 7, 1) if support_days is not None else None,
        "commissioned_weeks": v["commissioned_weeks"],
        "continued_from_earlier_case": bool(v["continued"]),
        "referred_on": bool(v["referred_on"]),
        "closing_measures": _closing_measures(v),
        **_changes(v),
        "rereferred": next_at is not None,
        "days_to_rereferral": (next_at - closed).days if next_at else None,
        "days_observed": (end - closed).days,
        "repeat_within_3_months": _within(closed_local, next_at, end, 3),
        "repeat_within_6_months": _within(closed_local, next_at, end, 6),
        "repeat_within_12_months": _within(closed_local, next_at, end, 12),
    }
    return row


def _closing_measures(v: dict) -> str:
    if v["closing__id"] is None:
        return "missing"
    return v["closing__not_answered"] or "answered"


def _changes(v: dict) -> dict[str, int | None]:
    both = v["start__id"] is not None and v["closing__id"] is not None
    answered = both and not v["start__not_answered"] and not v["closing__not_answered"]
    return {
        f"change_{s}": v[f"closing__{s}"] - v[f"start__{s}"] if answered else None
        for s in SCALES  # a scale answered twice is never None (OutcomeMeasure.clean)
    }


def _within(closed_local: dt.datetime, next_at: dt.datetime | None, end: dt.datetime, months: int) -> bool | None:
    window_end = months_later(closed_local, months)
    if next_at is not None and next_at <= window_end:
        return True
    if window_end <= end:
        return False
    return None
