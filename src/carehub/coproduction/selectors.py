"""Reads of co-production, each starting from the access policy (accounts.policy), which decides who sees what.

Fetching one record answers 404 for "missing" and "not yours" alike. Reach, feedback and funding are aggregates:
counts of organisations, and survivors' answers only with small numbers suppressed (carehub.insight.suppression).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from carehub.accounts import policy
from carehub.accounts.models import Organisation
from carehub.coproduction.models import (
    Answer,
    Assessment,
    Commitment,
    CommitmentAction,
    Consultation,
    FeedbackAnswer,
    FeedbackToken,
    Point,
    Response,
)
from carehub.coproduction.services import CONSULTABLE, token_hash
from carehub.core import public_ids
from carehub.core.choices import Community, ServiceType
from carehub.directory.models import Contract, Service
from carehub.insight.suppression import suppress
from carehub.referrals.models import Referral

FEEDBACK_THRESHOLD = 10  # answers before any figure or free text of a group is shown


def _one(queryset: QuerySet, public_id: str):
    found = queryset.filter(public_id=public_ids.parse(public_id)).first()
    if found is None:
        raise Http404
    return found


# --- commitments ------------------------------------------------------------------------------------------------


def commitment_list(*, user) -> QuerySet[Commitment]:
    return policy.commitments_visible_to(user).prefetch_related("assessments").order_by("title", "pk")


def commitment_get(*, user, public_id: str) -> Commitment:
    return _one(policy.commitments_visible_to(user), public_id)


def current_assessment(commitment: Commitment) -> Assessment | None:
    """The newest signed-off assessment; None means the commitment has no current assessment."""
    signed = [a for a in commitment.assessments.all() if a.is_signed_off]
    return max(signed, key=lambda a: (a.assessed_on, a.pk), default=None)


def assessment_get(*, user, commitment: Commitment, public_id: str) -> Assessment:
    if not policy.can_manage_commitments(user):
        raise Http404
    return _one(commitment.assessments.all(), public_id)


def published_run_choices() -> list[tuple[str, str]]:
    """The published equality runs an assessment may cite: those that exist now."""
    from carehub.assessments import selectors as published_runs

    return [(p.name, p.title) for p in published_runs.published_all() if p.document]


def labels(codes: list[str], vocabulary) -> list[str]:
    return [vocabulary(c).label for c in codes if c in vocabulary.values]


# --- consultations ----------------------------------------------------------------------------------------------


def consultation_list(*, user) -> QuerySet[Consultation]:
    return policy.consultations_visible_to(user).select_related("commitment").order_by("-opened_at", "pk")


def consultation_get(*, user, public_id: str) -> Consultation:
    return _one(policy.consultations_visible_to(user).select_related("commitment", "assessment"), public_id)


def responses_for(*, user, consultation: Consultation) -> QuerySet[Response]:
    """The answers this user may read: the policy's one rule (responses_visible_to)."""
    return (
        policy.responses_visible_to(user, consultation)
        .select_related("invitation__organisation")
        .prefetch_related(Prefetch("points", queryset=Point.objects.prefetch_related("actions")))
    )


def point_get(*, user, consultation: Consultation, public_id: str) -> Point:
    """A point to decide on: the commissioner's work alone."""
    if not policy.can_manage_commitments(user):
        raise Http404
    return _one(Point.objects.filter(response__invitation__consultation=consultation), public_id)


def answering_for(*, user, consultation: Consultation) -> list[Organisation]:
    """Invited organisations the user speaks for that have not answered yet."""
    return [
        o
        for o in policy.organisations_answering_for(user, consultation)
        if not Response.objects.filter(invitation__consultation=consultation, invitation__organisation=o).exists()
    ]


def action_get(*, user, commitment: Commitment, public_id: str) -> CommitmentAction:
    if not policy.can_manage_commitments(user):
        raise Http404
    return _one(commitment.actions.all(), public_id)


def commitment_points(commitment: Commitment) -> QuerySet[Point]:
    """Every point made about a commitment, for the commissioner linking actions to them."""
    return Point.objects.filter(response__invitation__consultation__commitment=commitment).select_related(
        "response__invitation__organisation"
    )


# --- the public page --------------------------------------------------------------------------------------------


def public_commitment(public_id: str) -> Commitment:
    """Any commitment, for the public page: plans are public, and the page shows no answer given in confidence."""
    return _one(Commitment.objects.all(), public_id)


def public_points(commitment: Commitment) -> QuerySet[Point]:
    return policy.public_points(commitment).select_related("response__invitation__organisation").order_by("pk")


def actions_with_timeline(commitment: Commitment) -> QuerySet[CommitmentAction]:
    return commitment.actions.prefetch_related("updates", "points")


# --- reach ------------------------------------------------------------------------------------------------------


@dataclass
class Reach:
    """How far consultation on a commitment reached by-and-for organisations, community by community."""

    invited: dict[str, int] = field(default_factory=dict)  # community label -> organisations invited
    answered: dict[str, int] = field(default_factory=dict)
    by_and_for_invited: int = 0
    by_and_for_answered: int = 0
    consultations: int = 0

    @property
    def no_by_and_for_answer(self) -> bool:
        return self.by_and_for_answered == 0

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        return [(c, n, self.answered.get(c, 0)) for c, n in sorted(self.invited.items())]


def reach(commitment: Commitment) -> Reach:
    """Counts of organisations, not of people: which communities' by-and-for organisations were asked and answered."""
    found = Reach()
    for consultation in commitment.consultations.prefetch_related("invitations__response"):
        found.consultations += 1
        for invitation in consultation.invitations.all():
            if not invitation.was_by_and_for:
                continue
            answered = hasattr(invitation, "response")
            found.by_and_for_invited += 1
            found.by_and_for_answered += answered
            for label in labels(invitation.communities, Community):
                found.invited[label] = found.invited.get(label, 0) + 1
                if answered:
                    found.answered[label] = found.answered.get(label, 0) + 1
    return found


# --- survivors' voice -------------------------------------------------------------------------------------------

QUESTIONS = (
    ("felt_believed", "Felt believed"),
    ("felt_safe", "Felt safe"),
    ("culture_fit", "Support fitted her culture and language"),
    ("knew_rights", "Knew her rights under the Victims' Code"),
    ("would_recommend", "Would recommend the service"),
)


@dataclass
class FeedbackRow:
    group: str
    answers: int | None  # None when suppressed
    yes: dict[str, int | None]  # question -> "yes" answers, None when suppressed


def _table(groups: dict[str, list[FeedbackAnswer]]) -> list[FeedbackRow]:
    """One row per group: answers, and "yes" answers per question, with small numbers hidden.

    A group with fewer than FEEDBACK_THRESHOLD answers shows nothing at all. Within a shown group, each question is a
    two-cell table (yes, not yes) suppressed by carehub.insight.suppression, so a small "no" is not left to be
    worked out from the total either.
    """
    rows = []
    for group, answers in sorted(groups.items()):
        if len(answers) < FEEDBACK_THRESHOLD:
            rows.append(FeedbackRow(group, None, dict.fromkeys((q for q, _ in QUESTIONS), None)))
            continue
        yes = {}
        for question, _ in QUESTIONS:
            said = Counter(getattr(a, question) == Answer.YES for a in answers)
            table = suppress(
                ["answers"], ["yes", "not_yes"],
                {("answers", "yes"): said[True], ("answers", "not_yes"): said[False]},
                threshold=FEEDBACK_THRESHOLD // 2, fixed=[("answers", "total")],
                empty=[c for c in (("answers", "yes"), ("answers", "not_yes")) if not said[c[1] == "yes"]],
            )  # fmt: skip
            yes[question] = table.shown("answers", "yes")
        rows.append(FeedbackRow(group, len(answers), yes))
    return rows


@dataclass
class FeedbackSummary:
    by_service_type: list[FeedbackRow]
    by_and_for: list[FeedbackRow]
    by_equality_group: list[FeedbackRow]
    threshold: int = FEEDBACK_THRESHOLD


ETHNIC_GROUPS = {
    "asian": "Asian or Asian British",
    "black": "Black, Black British, Caribbean or African",
    "mixed": "Mixed or multiple ethnic groups",
    "white": "White",
    "other": "Other ethnic group",
}


def feedback_summary(answers: list[FeedbackAnswer]) -> FeedbackSummary:
    by_type: dict[str, list] = {}
    by_bf: dict[str, list] = {}
    by_eq: dict[str, list] = {}
    for a in answers:
        by_type.setdefault(ServiceType(a.service.service_type).label, []).append(a)
        kind = "By-and-for services" if a.service.is_by_and_for else "Other services"
        by_bf.setdefault(kind, []).append(a)
        if a.ethnic_group in ETHNIC_GROUPS:
            by_eq.setdefault(f"Ethnic group: {ETHNIC_GROUPS[a.ethnic_group]}", []).append(a)
        if a.disabled in {"limited_a_lot", "limited_a_little"}:
            by_eq.setdefault("Disabled", []).append(a)
    return FeedbackSummary(_table(by_type), _table(by_bf), _table(by_eq))


def feedback_for_commissioner(*, user) -> FeedbackSummary | None:
    if not policy.can_manage_commitments(user):
        return None
    return feedback_summary(list(FeedbackAnswer.objects.select_related("service__organisation")))


@dataclass
class ServiceFeedback:
    service: Service
    summary: FeedbackSummary
    free_text: dict[str, list[str]]  # quarter -> answers' free text, only for quarters past the threshold
    answers: int


def feedback_for_manager(*, user) -> list[ServiceFeedback]:
    """Each of the manager's services: its aggregate, and free text of quarters with at least 10 answers, in an
    order (alphabetical) that says nothing about when each was written."""
    found = []
    for service in policy.feedback_services_for(user).select_related("organisation").order_by("name"):
        answers = list(FeedbackAnswer.objects.filter(service=service).select_related("service__organisation"))
        by_quarter: dict[str, list[FeedbackAnswer]] = {}
        for a in answers:
            by_quarter.setdefault(a.quarter, []).append(a)
        free_text = {
            quarter: sorted(a.open_text for a in group if a.open_text.strip())
            for quarter, group in sorted(by_quarter.items())
            if len(group) >= FEEDBACK_THRESHOLD
        }
        found.append(ServiceFeedback(service, feedback_summary(answers), free_text, len(answers)))
    return found


# --- funding share ----------------------------------------------------------------------------------------------


@dataclass
class FundingRow:
    community: str
    funding_share: float | None  # share of current commissioned funding reaching its by-and-for services
    referral_share: float | None  # share of referrals asking for a by-and-for service of that community
    referrals_asking: int | None  # None when suppressed


def funding_share(*, user, today=None) -> list[FundingRow] | None:
    """Per community: the share of current contracts' annual value that funds its by-and-for services, beside the
    share of (unsealed) referrals that asked for a by-and-for service of that community. Commissioners only."""
    if not policy.can_see_commissioning_evidence(user):
        return None
    today = today or timezone.localdate()
    contracts = Contract.objects.filter(start__lte=today, end__gte=today).select_related("service__organisation")
    total = sum(c.annual_value_pence for c in contracts)
    referrals = Referral.objects.filter(sealed=False)
    asked = Counter(referrals.exclude(wants_by_and_for="").values_list("wants_by_and_for", flat=True))
    all_referrals = referrals.count()
    rows = []
    for community in Community:
        funded = sum(
            c.annual_value_pence
            for c in contracts
            if c.service.organisation.kind == Organisation.Kind.BY_AND_FOR
            and community.value in c.service.organisation.led_by_and_for
        )
        count = asked.get(community.value, 0)
        shown = count if count == 0 or count >= FEEDBACK_THRESHOLD else None
        rows.append(
            FundingRow(
                community.label,
                funded / total if total else None,
                (count / all_referrals if all_referrals else None) if shown is not None else None,
                shown,
            )
        )
    return rows


@dataclass
class OfferTarget:
    case: object
    methods: list[tuple[str, str]]  # the link methods she said are safe, as (code, label)
    contact: object  # her safe-contact view: where to send it


def feedback_offer_target(*, user, public_id: str) -> OfferTarget:
    """A case whose woman may be offered the feedback link by this user, with the safe methods; else 404."""
    from carehub.coproduction.services import LINK_METHODS

    case = policy.get_case_for_user(user, public_id, reason="offering the feedback link")
    if not policy.can_offer_feedback(user, case):
        raise Http404
    view = policy.person_view_for(user, case.referral)
    contact = policy.safe_contact_for(user, case.referral, view)
    safe = contact.safe_methods if contact else ()
    methods = [(code, label) for code, label in LINK_METHODS.items() if label in safe]
    return OfferTarget(case, methods, contact)


def consultable_organisations() -> QuerySet[Organisation]:
    """Organisations a consultation may invite (services.CONSULTABLE): service providers, never police, funders or
    the hub itself. Not the user's own scope: the commissioner chooses whom to invite among all of them."""
    return Organisation.objects.filter(kind__in=CONSULTABLE).order_by("name")


def feedback_link_valid(digest: str) -> bool:
    """Whether her one-time feedback link, by its token's hash (what her session keeps), is still unused. No user
    and no policy: she does not sign in, and the link is the whole of her right to answer."""
    return bool(digest) and FeedbackToken.objects.filter(token_hash=digest).exists()


def feedback_token_valid(token: str) -> bool:
    """Whether the link she followed is still unused."""
    return feedback_link_valid(token_hash(token))
