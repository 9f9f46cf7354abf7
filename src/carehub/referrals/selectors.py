"""Reads of referrals, always starting from the access policy.

The work queues (the hub's triage queue, a service's offers; cases' waiting list and caseloads build on the same
parts) put the highest risk first, then whoever has waited longest. They page by keyset, never OFFSET: a page
starts after the last row of the previous one, compared as a row value (risk rank, waited since, public id), so page
1,000 of a million referrals costs what page 1 costs, each row appears on exactly one page even when many share a
risk and a minute, and nothing in the URL is personal (risk, borough and need codes; a cursor signed so it cannot be
forged into something else, holding only what the row already shows: its risk, its date and its public reference).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from django.core import signing
from django.db.models import Case, Count, Expression, F, Q, QuerySet, Value, When
from django.db.models import IntegerField as _IntegerField

# Row-value comparison: (a, b, c) > (x, y, z) on PostgreSQL (an index range scan), expanded to ORs on SQLite.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils import timezone

from carehub.accounts import policy
from carehub.core.choices import Community, ServiceType
from carehub.core.london import BOROUGHS
from carehub.people.monitoring import GenderIdentity, Sex
from carehub.referrals import dash, directory_snapshot
from carehub.referrals.models import (
    RISK_ORDER,
    Consent,
    DashAssessment,
    OfferStatus,
    Referral,
    RiskLevel,
    Status,
)
from carehub.referrals.routing import Excluded, Need, Ranked, rank

PAGE_SIZE = 50
TRIAGE_STATUSES = (Status.RECEIVED, Status.IN_TRIAGE)
# The by-and-for filter's value for "she asked for a by-and-for service, whichever community".
WANTS_ANY = "any"
# Same ranks as models.RISK_ORDER (which the triage index is built on): high, not yet assessed, medium, the rest.
RISK_RANKS = {RiskLevel.HIGH: 0, RiskLevel.NOT_ASSESSED: 1, RiskLevel.MEDIUM: 2}
_CURSOR_SALT = "carehub.queue-cursor"


def risk_rank(prefix: str = "") -> Expression:
    """The risk rank of a referral, reached from a queue's rows through `prefix` ("" or "referral__")."""
    if not prefix:
        return RISK_ORDER  # the very expression the triage index holds, so PostgreSQL reads the queue from it
    whens = [When(**{f"{prefix}risk_level": level}, then=Value(rank)) for level, rank in RISK_RANKS.items()]
    return Case(*whens, default=Value(3), output_field=_IntegerField())


@dataclass(frozen=True)
class QueueFilters:
    """What a queue is narrowed to: codes only, never anything about a person, so they can sit in a GET URL."""

    risk: str = ""
    borough: str = ""
    need: str = ""
    by_and_for: str = ""
    status: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, statuses: tuple[str, ...] = ()) -> QueueFilters:
        """Each parameter kept only if it is a known code: anything else is ignored, never an error or a query."""
        allowed = {
            "risk": RiskLevel.values,
            "borough": BOROUGHS,
            "need": ServiceType.values,
            "by_and_for": [WANTS_ANY, *Community.values],
            "status": statuses,
        }
        return cls(**{name: v if (v := params.get(name, "")) in codes else "" for name, codes in allowed.items()})

    def q(self, prefix: str = "") -> Q:
        """The filter as a condition on a queue's rows; referral facts are reached through `prefix`."""
        q = Q()
        if self.risk:
            q &= Q(**{f"{prefix}risk_level": self.risk})
        if self.borough:
            q &= Q(**{f"{prefix}borough": self.borough})
        if self.need:
            q &= _needs_include(prefix, self.need)
        if self.by_and_for == WANTS_ANY:
            q &= ~Q(**{f"{prefix}wants_by_and_for": ""})
        elif self.by_and_for:
            q &= Q(**{f"{prefix}wants_by_and_for": self.by_and_for})
        if self.status:
            q &= Q(status=self.status)  # the row's own status (the referral's, in the triage queue)
        return q

    def without(self, name: str) -> QueueFilters:
        return replace(self, **{name: ""})

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


NO_FILTERS = QueueFilters()


def _needs_include(prefix: str, code: str) -> Q:
    # `needs` is a JSON list of service-type codes; matching the quoted code in its text works on PostgreSQL and
    # SQLite alike (SQLite has no JSON containment), and a known code in quotes cannot match another code.
    return Q(**{f"{prefix}needs__icontains": f'"{code}"'})


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    options: list[Option]


def filter_counts(rows: QuerySet, filters: QueueFilters, *, prefix: str = "", statuses=()) -> list[Filter]:
    """Each filter's options with how many rows each would show, given the other filters as they are (so choosing
    'High' still shows how many are medium). One grouped query per filter over the queue, never over the table."""
    result = []

    def grouped(name: str, path: str) -> dict[str, int]:
        base = rows.filter(filters.without(name).q(prefix))
        return dict(base.order_by().values_list(path).annotate(n=Count("pk")).values_list(path, "n"))

    risks = grouped("risk", f"{prefix}risk_level")
    result.append(_filter("risk", "Risk", RiskLevel.choices, risks, filters.risk))
    boroughs = grouped("borough", f"{prefix}borough")
    by_name = sorted(BOROUGHS.items(), key=lambda b: b[1])
    result.append(_filter("borough", "Borough", by_name, boroughs, filters.borough))
    base = rows.filter(filters.without("need").q(prefix)).order_by()
    needs = base.aggregate(**{code: Count("pk", filter=_needs_include(prefix, code)) for code in ServiceType.values})
    result.append(_filter("need", "Need", ServiceType.choices, needs, filters.need))
    wishes = grouped("by_and_for", f"{prefix}wants_by_and_for")
    wishes[WANTS_ANY] = sum(n for code, n in wishes.items() if code)
    wish_choices = [(WANTS_ANY, "Asked for any by-and-for service"), *Community.choices]
    result.append(_filter("by_and_for", "By-and-for wish", wish_choices, wishes, filters.by_and_for))
    if len(statuses) > 1:
        states = grouped("status", "status")
        labels = dict(Status.choices)
        result.append(_filter("status", "Status", [(s, labels[s]) for s in statuses], states, filters.status))
    return result


def _filter(name: str, label: str, choices, counts: Mapping[str, int], selected: str) -> Filter:
    options = [Option(str(code), str(text), counts.get(code, 0), code == selected) for code, text in choices]
    return Filter(name, label, options)


@dataclass(frozen=True)
class Keyset:
    """A queue's order: risk rank, then the moment she started waiting, then a unique public id to break ties."""

    rank: Expression
    since: str
    tiebreak: str


@dataclass
class QueuePage:
    rows: list
    count: int
    next_cursor: str = ""
    previous_cursor: str = ""

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def keyset_page(
    rows: QuerySet, order: Keyset, *, after: str = "", before: str = "", size: int = PAGE_SIZE
) -> QueuePage:
    """One page of `rows` in `order`, after (or before) a cursor from an earlier page; the first page without one."""
    key = Tuple(order.rank, F(order.since), F(order.tiebreak))
    ascending = rows.annotate(_rank=order.rank).order_by("_rank", order.since, order.tiebreak)
    backwards = _read_cursor(before) if not after else None
    forwards = _read_cursor(after)
    if backwards is not None:
        found = list(
            rows.filter(TupleLessThan(key, backwards))
            .annotate(_rank=order.rank)
            .order_by("-_rank", f"-{order.since}", f"-{order.tiebreak}")[: size + 1]
        )
        more_before = len(found) > size
        found = found[:size][::-1]
        page = QueuePage(found, rows.count())
        page.previous_cursor = _cursor(found[0], order) if found and more_before else ""
        page.next_cursor = _cursor(found[-1], order) if found else ""
        return page
    if forwards is not None:
        ascending = ascending.filter(TupleGreaterThan(key, forwards))
    found = list(ascending[: size + 1])
    more_after = len(found) > size
    found = found[:size]
    page = QueuePage(found, rows.count())
    page.next_cursor = _cursor(found[-1], order) if found and more_after else ""
    page.previous_cursor = _cursor(found[0], order) if found and forwards is not None else ""
    return page


def _value(row, path: str):
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def _cursor(row, order: Keyset) -> str:
    since = _value(row, order.since)
    return signing.dumps([row._rank, since.isoformat(), _value(row, order.tiebreak)], salt=_CURSOR_SALT)


def _read_cursor(token: str) -> tuple[int, dt.datetime, str] | None:
    """The cursor's values, or None for a missing, altered or malformed one (the first page is shown instead)."""
    if not token:
        return None
    try:
        rank, since, tiebreak = signing.loads(token, salt=_CURSOR_SALT)
        return int(rank), dt.datetime.fromisoformat(since), str(tiebreak)
    except (signing.BadSignature, ValueError, TypeError):
        return None


# --- the hub's triage queue ----------------------------------------------------------------------------------------

TRIAGE_ORDER = Keyset(RISK_ORDER, "received_at", "reference")


def triage_queue(*, user, filters: QueueFilters = NO_FILTERS) -> QuerySet[Referral]:
    """Referrals waiting for the hub: highest risk first, then the longest waiting."""
    return (
        policy.referrals_visible_to(user)
        .filter(status__in=TRIAGE_STATUSES)
        .filter(filters.q())
        .annotate(risk_order=RISK_ORDER)
        .order_by("risk_order", "received_at", "reference")
    )


def triage_page(*, user, filters: QueueFilters, after: str = "", before: str = "") -> QueuePage:
    rows = policy.referrals_visible_to(user).filter(status__in=TRIAGE_STATUSES).filter(filters.q())
    return keyset_page(rows, TRIAGE_ORDER, after=after, before=before)


def triage_filters(*, user, filters: QueueFilters) -> list[Filter]:
    rows = policy.referrals_visible_to(user).filter(status__in=TRIAGE_STATUSES)
    return filter_counts(rows, filters, statuses=TRIAGE_STATUSES)


def sent_by(*, user) -> QuerySet[Referral]:
    return policy.referrals_sent_by(user).order_by("-received_at")


def routing_need(referral: Referral) -> Need:
    """What routing may know of a referral: needs and eligibility, never identity."""
    survivor = referral.survivor
    is_man = survivor.sex == Sex.MALE and survivor.gender_identity not in {
        GenderIdentity.WOMAN,
        GenderIdentity.TRANS_WOMAN,
    }
    return Need(
        borough=referral.borough,
        needs=frozenset(referral.needs or []),
        abuse_types=frozenset(referral.abuse_types or []),
        wants_by_and_for=referral.wants_by_and_for,
        language=referral.language,
        interpreter_needed=referral.interpreter_needed,
        age=referral.age_at_referral,
        is_man=is_man,
        has_nrpf=referral.has_nrpf,
        high_risk=referral.risk_level == RiskLevel.HIGH or referral.marac,
        dash_score=referral.dash_score,
        marac=referral.marac,
    )


def routing_for(referral: Referral) -> tuple[list[Ranked], list[Excluded]]:
    return rank(routing_need(referral), directory_snapshot.routing_services())


def history(referral: Referral):
    return referral.events.select_related("actor", "service", "organisation").order_by("at", "pk")


# --- a service's inbox of offers --------------------------------------------------------------------------------

# The risk is the referral's, so this order is not one index: the pending offers of the user's services are found
# by the partial index offer_pending_idx and the few hundred an inbox holds are sorted by risk.
OFFER_ORDER = Keyset(risk_rank("referral__"), "offered_at", "public_id")


def offers_page(*, user, filters: QueueFilters, after: str = "", before: str = "") -> QueuePage:
    rows = (
        policy.offers_visible_to(user)
        .filter(status=OfferStatus.PENDING)
        .filter(filters.q("referral__"))
        .select_related("referral", "service")
    )
    return keyset_page(rows, OFFER_ORDER, after=after, before=before)


def offers_filters(*, user, filters: QueueFilters) -> list[Filter]:
    rows = policy.offers_visible_to(user).filter(status=OfferStatus.PENDING)
    return filter_counts(rows, filters, prefix="referral__")


# --- her situation, for the pages of the people who act on it -------------------------------------------------------


@dataclass(frozen=True)
class DashAnswer:
    number: int
    question: str
    answer: str


@dataclass(frozen=True)
class Situation:
    """What she (or the agency) told us about her situation, as far as the user's PersonView reaches."""

    referral: Referral
    view: policy.PersonView
    summary: str = ""
    fears: str = ""
    dash_answers: tuple[DashAnswer, ...] = ()
    dash_rules_version: str = ""
    dash_score: int | None = None
    assessment: DashAssessment | None = None  # the latest, already read: a page need not read it again


def withdrawal_reasons(referral: Referral, consents: list[Consent], view: policy.PersonView) -> dict[int, str]:
    """Why each withdrawn consent was withdrawn, by the consent's key, for a view that reaches her situation.

    The reason is the worker's free text and may name people, so it is sealed under her key like her summary and
    shown only where her situation is (never to a break-glass reader or a service before it accepts her)."""
    if not view.situation:
        return {}
    survivor = referral.survivor
    return {
        c.pk: (survivor.unseal(c.reason_sealed) or {}).get("reason", "")
        for c in consents
        if not c.given and c.reason_sealed
    }


def situation_for(user, referral: Referral, view: policy.PersonView) -> Situation:
    """Her situation for a page: sealed free text (the agency's summary, what she is afraid of) and the DASH answers
    question by question only when the view reaches her situation; the decision facts come from the referral."""
    if not view.situation:
        return Situation(referral=referral, view=view)
    survivor = referral.survivor
    summary = (survivor.unseal(referral.summary_sealed) or {}).get("summary", "") if referral.summary_sealed else ""
    assessment = referral.dash_assessments.first()
    if assessment is None:
        return Situation(referral=referral, view=view, summary=summary)
    fears = (survivor.unseal(assessment.fears_sealed) or {}).get("fears", "") if assessment.fears_sealed else ""
    questions = dash.questions()
    answers = tuple(
        DashAnswer(n, questions[n - 1], dash.ANSWER_LABELS.get(assessment.answers.get(str(n), ""), "Not answered"))
        for n in range(1, len(questions) + 1)
    )
    return Situation(
        referral=referral,
        view=view,
        summary=summary,
        fears=fears,
        dash_answers=answers,
        dash_rules_version=assessment.rules_version,
        dash_score=assessment.score,
        assessment=assessment,
    )


def person_context(user, referral: Referral, view: policy.PersonView) -> dict:
    """A page's context for her: what the policy's view lets it show, and nothing more (identity is None outside
    it, so a template cannot show her name by mistake). Every page that shows her uses this one helper."""
    return {
        "view": view,
        "identity": referral.survivor.identity if view.identity else None,
        "survivor": referral.survivor if view.equality else None,
        "show_immigration": view.immigration,
        "safe_contact": policy.safe_contact_for(user, referral, view),
        "situation": situation_for(user, referral, view),
    }


def current_consents(
    referral: Referral, *, on: dt.date | None = None, consents: list[Consent] | None = None
) -> list[Consent]:
    """The consents in force on a referral the caller already holds (through the policy): the latest row per kind
    and recipient, given, and not expired. `consents`: her consents already read, in recorded order."""
    on = on or timezone.localdate()
    latest: dict[tuple[str, int | None, str], Consent] = {}
    for consent in referral.consents.order_by("recorded_at", "pk") if consents is None else consents:
        latest[(consent.kind, consent.recipient_id, consent.recipient_kind)] = consent
    return [c for c in latest.values() if c.given and (c.expires_on is None or c.expires_on >= on)]
