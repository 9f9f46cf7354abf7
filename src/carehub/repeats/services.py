"""Recognising a survivor who comes back: suggestions for a new referral, and hub workers' decisions on them.

`suggest_matches` finds the stored survivors who are probably the woman a referral is about: candidates from a few
indexed look-ups on her linkage keys (scoring.candidate_blocks), each scored in plain Python with the shipped Splink
model (scoring.explain_pair). Nothing here reads an identity: keys in, probabilities and agreement levels out.

`match_decide` records a hub worker's answer. A confirmed pair joins the two survivors into one person (models.py
says why a link rather than moving the referral), and marks the referral a repeat when it arrived within 12 months of
the end of one of her earlier cases.

The person: the decisions are the record of who is linked to whom, and linked_survivor_ids walks them for a page.
Analysis needs the same answer for every referral at once (cases.commissioning, the extract: 10M referrals), where a
walk per row is out of the question, so confirming also keeps `Survivor.person` up to date in the same transaction
(_join_people): every survivor of the two people being joined takes the lower of their two ids. Decisions are never
undone or changed (a different decision on a decided pair is refused), so people only ever merge and the field can
always be rebuilt from the decisions alone (migration repeats 0002 does exactly that).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from carehub.accounts.models import User
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.models import Case, OnwardReferral
from carehub.core.dates import add_months
from carehub.core.services import ServiceError
from carehub.people import linkage_keys
from carehub.people.models import LinkageRecord, Survivor
from carehub.referrals.models import Referral
from carehub.repeats import scoring, splink_model
from carehub.repeats.models import MatchDecision, Outcome
from carehub.repeats.splink_model import Agreement

DEFAULT_THRESHOLD = 0.5  # settings.REPEATS_SUGGESTION_THRESHOLD overrides it
DEFAULT_LIMIT = 10  # settings.REPEATS_SUGGESTION_LIMIT overrides it
REPEAT_WINDOW_MONTHS = 12  # a referral within this long of the end of an earlier case is a repeat referral
# Most rows one look-up may bring back. A block is a phone, an email, an address, a postcode, a date of birth or both
# names by sound; at a million people the largest (a common name) holds a few hundred. The cap keeps a freak value
# (a placeholder date entered for everyone) from turning one page view into a scan.
BLOCK_LIMIT = 2000
LINK_LIMIT = 50  # survivors one person's confirmed links may join; far more than any real history
# Name frequencies (term-frequency adjustment) only once there are enough people for a frequency to mean something.
FREQUENCIES_FROM = 10_000
COUNT_CACHE_FROM = 50_000  # counting is cheap below this; above, the count is kept for COUNT_CACHE_SECONDS
COUNT_CACHE_SECONDS = 600

FIELD_LABELS = {
    "given": "Given name",
    "family": "Family name",
    "dob": "Date of birth",
    "phone": "Phone number",
    "email": "Email address",
    "home": "Address and postcode",
}
# splink_model.COMPARISONS' level labels, as a hub worker would say them.
WORDING = {"exact": "the same", "differ": "differs", "missing": "not known for one of them"}


class RepeatError(ServiceError):
    """A decision that cannot be recorded, with a message a person understands."""


@dataclass(frozen=True)
class FieldMatch:
    """How one compared feature agreed, in words: never the values themselves."""

    name: str  # the comparison: given, family, dob, phone, email, home
    agreement: Agreement  # agree, partly, differ or missing
    level: str  # the model's label for the level: "one typing slip apart", "same postcode"

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.name]

    @property
    def wording(self) -> str:
        return WORDING.get(self.level, self.level)

    def __str__(self) -> str:
        return f"{self.label}: {self.wording}"


@dataclass(frozen=True)
class Suggestion:
    """An earlier survivor who is probably the woman a referral is about, and her latest earlier referral."""

    survivor_id: int
    probability: float
    fields: tuple[FieldMatch, ...]
    earlier_referral: Referral

    @property
    def percent(self) -> int:
        """Whole per cent, rounded down: 99.9% shows as 99, never as a certain 100."""
        return math.floor(self.probability * 100)

    def with_agreement(self, *agreements: str) -> list[FieldMatch]:
        return [f for f in self.fields if f.agreement in agreements]


def threshold() -> float:
    """The probability at or above which an earlier survivor is suggested (settings.REPEATS_SUGGESTION_THRESHOLD)."""
    return float(getattr(settings, "REPEATS_SUGGESTION_THRESHOLD", DEFAULT_THRESHOLD))


def suggestion_limit() -> int:
    """The most suggestions shown for one referral (settings.REPEATS_SUGGESTION_LIMIT)."""
    return int(getattr(settings, "REPEATS_SUGGESTION_LIMIT", DEFAULT_LIMIT))


# --- suggestions ------------------------------------------------------------------------------------------------


def suggest_matches(referral: Referral, *, stats: dict | None = None) -> list[Suggestion]:
    """Earlier survivors probably the same woman as `referral`'s, most likely first: at most suggestion_limit(), each
    at or above threshold(), with how each feature agreed.

    Never suggested: her own survivor, anyone already linked to her or already decided on with her, anyone with a
    sealed referral, anyone erased, and anyone without an unsealed referral received before this one. A sealed
    referral gets no suggestions at all. `stats`, when given, is filled with what the look-up cost (benchmarks).
    """
    if referral.sealed:
        return []
    own = _linkage_keys_of(referral)
    if own is None:
        return []
    candidates = _candidates(own, referral.survivor_id)
    weights, frequencies = _weights_and_frequencies(own)
    cut = threshold()
    scored = []
    for survivor_id, candidate in candidates.items():
        score = scoring.explain_pair(own, candidate, weights, frequencies)
        if score.probability >= cut:
            scored.append((score, survivor_id))
    scored.sort(key=lambda pair: (-pair[0].probability, pair[1]))
    if stats is not None:
        stats.update(candidates=len(candidates), above_threshold=len(scored))
    if not scored:
        return []
    ids = [survivor_id for _, survivor_id in scored]
    excluded = _sealed(ids) | _decided_with(referral.survivor_id, ids) | linked_survivor_ids(referral.survivor_id)
    earlier = _latest_earlier_referrals([i for i in ids if i not in excluded], referral.received_at)
    suggestions = [
        Suggestion(survivor_id, score.probability, _fields(score), earlier[survivor_id])
        for score, survivor_id in scored
        if survivor_id in earlier
    ]
    return suggestions[: suggestion_limit()]


def _linkage_keys_of(referral: Referral) -> scoring.Prepared | None:
    """Her stored keys; for a survivor stored before keys were, made from her identity (None once she is erased)."""
    row = LinkageRecord.objects.filter(survivor_id=referral.survivor_id).values(*linkage_keys.KEY_FIELDS).first()
    if row is None:
        identity = referral.survivor.identity
        if identity is None:
            return None
        row = linkage_keys.linkage_keys(identity)
    return scoring.prepare(row)


def _candidates(own: scoring.Prepared, own_survivor_id: int) -> dict[int, scoring.Prepared]:
    """Every stored survivor sharing a block key with her: one indexed equality per block."""
    columns = ("survivor_id", *linkage_keys.KEY_FIELDS)
    found: dict[int, scoring.Prepared] = {}
    for field, key in scoring.candidate_blocks(own):
        for row in LinkageRecord.objects.filter(**{field: key}).values_list(*columns)[:BLOCK_LIMIT]:
            if row[0] != own_survivor_id and row[0] not in found:
                found[row[0]] = scoring.prepare(dict(zip(linkage_keys.KEY_FIELDS, row[1:], strict=True)))
    return found


def _fields(score: scoring.Score) -> tuple[FieldMatch, ...]:
    return tuple(FieldMatch(name, score.agreements[name], score.levels[name]) for name in FIELD_LABELS)


def _sealed(survivor_ids: list[int]) -> set[int]:
    """Survivors with any sealed referral: never suggested, whatever their keys say (they should have none)."""
    return set(Referral.objects.filter(survivor_id__in=survivor_ids, sealed=True).values_list("survivor_id", flat=True))


def _decided_with(survivor_id: int, others: list[int]) -> set[int]:
    """Of `others`, those a hub worker has already confirmed or rejected as the same person as `survivor_id`."""
    pairs = MatchDecision.objects.filter(
        Q(survivor_id=survivor_id, earlier_survivor_id__in=others)
        | Q(earlier_survivor_id=survivor_id, survivor_id__in=others)
    ).values_list("survivor_id", "earlier_survivor_id")
    return {other for pair in pairs for other in pair} - {survivor_id}


def _latest_earlier_referrals(survivor_ids: list[int], before) -> dict[int, Referral]:
    """Each survivor's latest unsealed referral received before `before`; survivors without one are left out."""
    latest: dict[int, Referral] = {}
    if not survivor_ids:
        return latest
    rows = (
        Referral.objects.filter(survivor_id__in=survivor_ids, sealed=False, received_at__lt=before)
        .only("pk", "reference", "survivor_id", "received_at", "status", "sealed")
        .order_by("survivor_id", "-received_at", "-pk")
    )
    for row in rows:
        latest.setdefault(row.survivor_id, row)
    return latest


def linked_survivor_ids(survivor_id: int) -> set[int]:
    """Every survivor joined to her by confirmed decisions, herself included: one person's records."""
    members, frontier = {survivor_id}, {survivor_id}
    while frontier and len(members) < LINK_LIMIT:
        pairs = MatchDecision.objects.filter(
            Q(survivor_id__in=frontier) | Q(earlier_survivor_id__in=frontier), outcome=Outcome.CONFIRMED
        ).values_list("survivor_id", "earlier_survivor_id")
        frontier = {member for pair in pairs for member in pair} - members
        members |= frontier
    return members


# --- the model, and how many people it is scoring against -------------------------------------------------------


@cache
def _weights_for(people: int) -> scoring.Weights:
    # The prior is the chance that two records are the same person, which falls as the number of people grows.
    return scoring.Weights.from_model(splink_model.shipped_for(people))


_count_lock = threading.Lock()
_count_cache: dict[str, tuple[float, int]] = {}


def stored_people() -> int:
    """How many survivors have linkage keys: exact while counting is cheap, kept for a while once it is not."""
    with _count_lock:
        cached = _count_cache.get("people")
    if cached is not None and time.monotonic() - cached[0] < COUNT_CACHE_SECONDS:
        return cached[1]
    people = LinkageRecord.objects.count()
    if people >= COUNT_CACHE_FROM:
        with _count_lock:
            _count_cache["people"] = (time.monotonic(), people)
    return people


def _weights_and_frequencies(own: scoring.Prepared) -> tuple[scoring.Weights, dict[str, float] | None]:
    people = max(stored_people(), 2)
    # Rounded to two significant figures, so the weights are worked out once per size rather than once per referral.
    weights = _weights_for(int(float(f"{people:.2g}")))
    if people < FREQUENCIES_FROM:
        return weights, None
    frequencies = {}
    for field in splink_model.TERM_FREQUENCY_FIELDS:
        if own[field] is not None:
            holding = LinkageRecord.objects.filter(**{field: own[field]}).count()
            frequencies[field] = max(holding, 1) / people
    return weights, frequencies


# --- decisions --------------------------------------------------------------------------------------------------


def match_decide(*, actor: User, referral: Referral, earlier: Referral, outcome: str) -> MatchDecision:
    """Record that `earlier`'s survivor is (confirmed) or is not (rejected) the woman `referral` is about.

    Only a pair suggested now can be decided. The same decision submitted twice returns the first and records
    nothing more; a different decision on a pair already decided is refused. Confirming marks the referral a repeat
    when it arrived within 12 months of the end of an earlier case of hers (never for an onward referral, which is
    continuity of support, not coming back).
    """
    if outcome not in Outcome.values:
        raise RepeatError("Choose whether this is the same person.")
    if referral.sealed or earlier.sealed:
        raise RepeatError("This referral cannot be matched with others.")
    try:
        with transaction.atomic():
            # Decisions on one referral wait for each other (SQLite already serialises every write transaction).
            Referral.objects.select_for_update().filter(pk=referral.pk).first()
            existing = _decision_between(referral.survivor_id, earlier.survivor_id)
            if existing is not None:
                return _same_or_refused(existing, outcome)
            suggestion = next((s for s in suggest_matches(referral) if s.survivor_id == earlier.survivor_id), None)
            if suggestion is None or earlier.received_at >= referral.received_at:
                raise RepeatError("That earlier referral is no longer suggested for this one. Nothing has been saved.")
            decision = MatchDecision.objects.create(
                referral=referral,
                survivor_id=referral.survivor_id,
                earlier_referral=earlier,
                earlier_survivor_id=earlier.survivor_id,
                outcome=outcome,
                probability=suggestion.probability,
                decided_at=timezone.now(),
                decided_by=actor,
            )
            if outcome == Outcome.CONFIRMED:
                _join_people(referral.survivor_id, earlier.survivor_id)
            repeat = _mark_repeat(referral) if outcome == Outcome.CONFIRMED else False
            changes = {"repeat_match": outcome, "probability": round(suggestion.probability, 4)}
            audit.record_for(
                actor,
                Action.UPDATE,
                referral,
                changes={**changes, "earlier": earlier.reference, "is_repeat": repeat},
                event=EventType.REPEAT_MATCH_DECIDED,
            )
            audit.record_for(
                actor,
                Action.UPDATE,
                earlier,
                changes={**changes, "later": referral.reference},
                event=EventType.REPEAT_MATCH_DECIDED,
            )
    except IntegrityError:
        # The same pair decided at the same moment by another request: its decision stands.
        existing = _decision_between(referral.survivor_id, earlier.survivor_id)
        if existing is None:
            raise
        return _same_or_refused(existing, outcome)
    return decision


def match_undo(*, actor: User, decision: MatchDecision, reason: str) -> MatchDecision:
    """Undo a confirmation found to be wrong: the two survivors are no longer one person.

    A wrong link shows one woman's history to the people supporting another, so it must be undoable at once. The
    decision becomes "not the same person" (so the pair is not suggested again), with who undid it, when and why.
    Everyone who was one person through that link is regrouped from the confirmations that remain, and a referral
    that was a repeat only because of the link is a repeat no longer (unless her own history makes it one).
    """
    reason = reason.strip()
    if not reason:
        raise RepeatError("Say why these are not the same person.")
    with transaction.atomic():
        locked = MatchDecision.objects.select_for_update().filter(pk=decision.pk).first()
        if locked is None or locked.outcome != Outcome.CONFIRMED:
            raise RepeatError(
                "This decision is not a confirmed link, so there is nothing to undo. Nothing has changed."
            )
        _lock_people()
        group = _person_group(locked.survivor_id) | _person_group(locked.earlier_survivor_id)
        locked.outcome = Outcome.REJECTED
        locked.undone_at, locked.undone_by, locked.undo_reason = timezone.now(), actor, reason
        locked.save(update_fields=["outcome", "undone_at", "undone_by", "undo_reason"])
        _regroup_people(group)
        for referral in _repeats_resting_on_others(group):
            Referral.objects.filter(pk=referral.pk).update(is_repeat=False, previous_referral=None)
            referral.is_repeat, referral.previous_referral_id = False, None
            repeat = _mark_repeat(referral)
            audit.record_for(
                actor,
                Action.UPDATE,
                referral,
                changes={"repeat_match": "undone", "is_repeat": repeat},
                event=EventType.REPEAT_MATCH_UNDONE,
            )
        changes = {"repeat_match": "undone"}
        audit.record_for(
            actor,
            Action.UPDATE,
            locked.referral,
            changes={**changes, "earlier": locked.earlier_referral.reference},
            reason=reason,
            event=EventType.REPEAT_MATCH_UNDONE,
        )
        audit.record_for(
            actor,
            Action.UPDATE,
            locked.earlier_referral,
            changes={**changes, "later": locked.referral.reference},
            reason=reason,
            event=EventType.REPEAT_MATCH_UNDONE,
        )
    return locked


def _lock_people() -> None:
    """One change to who is the same person at a time (see _join_people)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PEOPLE_LOCK])


def _person_group(survivor_id: int) -> set[int]:
    """The survivors who are one person with her now: her person's members, herself included."""
    person = Survivor.objects.filter(pk=survivor_id).values_list("person_id", flat=True).first() or survivor_id
    return {survivor_id, *Survivor.objects.filter(Q(person_id=person) | Q(pk=person)).values_list("pk", flat=True)}


def _regroup_people(group: set[int]) -> None:
    """Give each survivor of `group` the person its remaining confirmed links make her (herself, alone: null)."""
    remaining = set(group)
    while remaining:
        members = linked_survivor_ids(min(remaining)) & group
        person = min(members) if len(members) > 1 else None
        Survivor.objects.filter(pk__in=members).update(person_id=person)
        remaining -= members


def _repeats_resting_on_others(group: set[int]) -> list[Referral]:
    """Repeat referrals in `group` whose earlier referral belongs to a survivor no longer the same person."""
    found = []
    for referral in Referral.objects.filter(survivor_id__in=group, is_repeat=True).select_related("previous_referral"):
        earlier = referral.previous_referral
        if earlier is not None and earlier.survivor_id not in linked_survivor_ids(referral.survivor_id):
            found.append(referral)
    return found


def _decision_between(survivor_id: int, other_id: int) -> MatchDecision | None:
    either_way = Q(survivor_id=survivor_id, earlier_survivor_id=other_id) | Q(
        survivor_id=other_id, earlier_survivor_id=survivor_id
    )
    return MatchDecision.objects.filter(either_way).first()


def _same_or_refused(existing: MatchDecision, outcome: str) -> MatchDecision:
    if existing.outcome == outcome:
        return existing
    raise RepeatError(
        f"This pair has already been decided ({existing.get_outcome_display().lower()}). Nothing has been changed."
    )


# Any constant: the key of the PostgreSQL advisory lock that lets one join of people happen at a time.
PEOPLE_LOCK = 0x43485F50  # "CH_P"


def _join_people(survivor_id: int, other_id: int) -> int:
    """Make the two survivors, and everyone already linked to either, one person; returns the person's id.

    The person's id is the lowest survivor id among them, so it does not depend on the order links were confirmed
    in, and an unlinked survivor's person is simply herself. Joins are serialised (a transaction-level lock on
    PostgreSQL; SQLite already runs one write transaction at a time): two joins touching the same person at once
    could otherwise each read the ids before the other's update and leave her records split between two people.
    Confirmations are rare, human decisions, so waiting for each other costs nothing noticeable.
    """
    _lock_people()
    both = [survivor_id, other_id]
    people = {person or pk for pk, person in Survivor.objects.filter(pk__in=both).values_list("pk", "person_id")}
    person = min(people)
    Survivor.objects.filter(Q(pk__in=both) | Q(person_id__in=people)).update(person_id=person)
    return person


def _mark_repeat(referral: Referral) -> bool:
    """A repeat referral: received within 12 months after one of her earlier cases closed (any of her linked
    survivors' cases). Records the referral that case came from as the previous referral."""
    if OnwardReferral.objects.filter(referral_id=referral.pk).exists():
        return False
    latest = (
        Case.objects.filter(
            survivor_id__in=linked_survivor_ids(referral.survivor_id),
            sealed=False,
            closed_at__isnull=False,
            closed_at__lte=referral.received_at,
        )
        .exclude(referral_id=referral.pk)
        .order_by("-closed_at", "-pk")
        .values_list("closed_at", "referral_id")
        .first()
    )
    if latest is None or referral.received_at > add_months(latest[0], REPEAT_WINDOW_MONTHS):
        return False
    Referral.objects.filter(pk=referral.pk).update(is_repeat=True, previous_referral_id=latest[1])
    referral.is_repeat, referral.previous_referral_id = True, latest[1]
    return True
