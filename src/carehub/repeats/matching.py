"""Reads behind the suggestions: which stored survivors are probably the woman a referral is about, and who is
already linked to whom. Nothing here writes, and nothing asks the access policy: services (match_decide) and the
pages' selectors (which start from the policy) both call it.

`suggest_matches` finds the candidates from a few indexed look-ups on her linkage keys (scoring.candidate_blocks),
each scored in plain Python with the shipped Splink model (scoring.explain_pair). Nothing here reads an identity: keys
in, probabilities and agreement levels out. `linked_survivor_ids` walks the confirmed decisions for one person's
records.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from carehub.core.compound import union_all
from carehub.people import linkage_keys
from carehub.people.models import LinkageRecord
from carehub.referrals.models import Referral
from carehub.repeats import scoring, splink_model
from carehub.repeats.models import MatchDecision, Outcome
from carehub.repeats.splink_model import Agreement

DEFAULT_THRESHOLD = 0.5  # settings.REPEATS_SUGGESTION_THRESHOLD overrides it
DEFAULT_LIMIT = 10  # settings.REPEATS_SUGGESTION_LIMIT overrides it
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

    A page pays a fixed number of round trips whatever her keys: one for her keys with how common her names are,
    one for every block's candidates together, and, only when someone scores above the threshold, one for the
    decisions about her and one for the candidates' referrals.
    """
    if referral.sealed:
        return []
    own, people, holding = _linkage_keys_of(referral)
    if own is None:
        return []
    candidates = _candidates(own, referral.survivor_id)
    weights, frequencies = _weights_and_frequencies(own, people, holding)
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
    decisions = _decisions_about(referral.survivor_id)
    sealed, earlier = _referrals_of(ids, referral.received_at)
    excluded = (
        sealed
        | _decided_with(referral.survivor_id, ids, decisions)
        | linked_survivor_ids(referral.survivor_id, decisions=decisions)
    )
    suggestions = [
        Suggestion(survivor_id, score.probability, _fields(score), earlier[survivor_id])
        for score, survivor_id in scored
        if survivor_id in earlier and survivor_id not in excluded
    ]
    return suggestions[: suggestion_limit()]


def _linkage_keys_of(referral: Referral) -> tuple[scoring.Prepared | None, int | None, dict[str, int]]:
    """Her stored keys; for a survivor stored before keys were, made from her identity (None once she is erased).

    Read in the same round trip: how many stored survivors share each of her exact names (the term frequencies),
    and how many survivors are stored at all unless that count is held (stored_people). Returns (keys, people or
    None when not counted here, {name field: holders}).
    """
    counts: dict[str, Any] = {
        f"_holding_{field}": Case(
            When(~Q(**{field: ""}), then=_count_of(LinkageRecord.objects.filter(**{field: OuterRef(field)}))),
            default=Value(0),
        )
        for field in splink_model.TERM_FREQUENCY_FIELDS
    }
    people = _held_people()
    if people is None:
        counts["_people"] = _count_of(LinkageRecord.objects.all())
    row = (
        LinkageRecord.objects.filter(survivor_id=referral.survivor_id)
        .annotate(**counts)
        .values(*linkage_keys.KEY_FIELDS, *counts)
        .first()
    )
    if row is None:
        identity = referral.survivor.identity
        if identity is None:
            return None, None, {}
        return scoring.prepare(linkage_keys.linkage_keys(identity)), None, {}
    if people is None:
        people = _remember_people(row["_people"])
    holding = {field: row[f"_holding_{field}"] or 0 for field in splink_model.TERM_FREQUENCY_FIELDS}
    return scoring.prepare(row), people, holding


def _count_of(rows: QuerySet) -> Subquery:
    """COUNT(*) of `rows` as a scalar subquery (grouped on a constant, so it is one row even when nothing matches)."""
    counted = rows.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("*")).values("n")
    return Subquery(counted, output_field=IntegerField())


def _candidates(own: scoring.Prepared, own_survivor_id: int) -> dict[int, scoring.Prepared]:
    """Every stored survivor sharing a block key with her: one indexed equality per block, each capped at
    BLOCK_LIMIT, all blocks in one round trip (core.compound.union_all)."""
    columns = ("survivor_id", *linkage_keys.KEY_FIELDS)
    blocks = [
        LinkageRecord.objects.filter(**{field: key}).order_by().values_list(*columns)[:BLOCK_LIMIT]
        for field, key in scoring.candidate_blocks(own)
    ]
    found: dict[int, scoring.Prepared] = {}
    for row in union_all(*blocks):
        if row[0] != own_survivor_id and row[0] not in found:
            found[row[0]] = scoring.prepare(dict(zip(linkage_keys.KEY_FIELDS, row[1:], strict=True)))
    return found


def _fields(score: scoring.Score) -> tuple[FieldMatch, ...]:
    return tuple(FieldMatch(name, score.agreements[name], score.levels[name]) for name in FIELD_LABELS)


def _decisions_about(survivor_id: int) -> list[tuple[int, int, str]]:
    """Every decision naming her survivor on either side, (survivor, earlier survivor, outcome): which candidates are
    already decided on, and the first step of her confirmed links, from one read."""
    return list(
        MatchDecision.objects.filter(Q(survivor_id=survivor_id) | Q(earlier_survivor_id=survivor_id))
        .order_by()
        .values_list("survivor_id", "earlier_survivor_id", "outcome")
    )


def _decided_with(survivor_id: int, others: list[int], decisions: list[tuple[int, int, str]]) -> set[int]:
    """Of `others`, those a hub worker has already confirmed or rejected as the same person as `survivor_id`."""
    wanted = set(others)
    return {other for pair in decisions for other in pair[:2] if other in wanted} - {survivor_id}


def _referrals_of(survivor_ids: list[int], before) -> tuple[set[int], dict[int, Referral]]:
    """Of these survivors: those with any sealed referral (never suggested, whatever their keys say: they should have
    none), and each one's latest unsealed referral received before `before` (survivors without one are left out)."""
    sealed: set[int] = set()
    latest: dict[int, Referral] = {}
    rows = (
        Referral.objects.filter(survivor_id__in=survivor_ids)
        .filter(Q(sealed=True) | Q(received_at__lt=before))
        .only("pk", "reference", "survivor_id", "received_at", "status", "sealed")
        .order_by("survivor_id", "-received_at", "-pk")
    )
    for row in rows:
        if row.sealed:
            sealed.add(row.survivor_id)
        elif row.received_at < before:
            latest.setdefault(row.survivor_id, row)
    return sealed, latest


def linked_survivor_ids(survivor_id: int, *, decisions: list[tuple[int, int, str]] | None = None) -> set[int]:
    """Every survivor joined to her by confirmed decisions, herself included: one person's records.

    `decisions`: every decision naming her survivor (_decisions_about), already read: the walk's first step."""
    members, frontier = {survivor_id}, {survivor_id}
    while frontier and len(members) < LINK_LIMIT:
        if decisions is not None and frontier == {survivor_id}:
            pairs = [(a, b) for a, b, outcome in decisions if outcome == Outcome.CONFIRMED]
        else:
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
    people = _held_people()
    if people is None:
        people = _remember_people(LinkageRecord.objects.count())
    return people


def _held_people() -> int | None:
    """The count kept by stored_people, while it is fresh; None when it must be counted."""
    with _count_lock:
        cached = _count_cache.get("people")
    if cached is not None and time.monotonic() - cached[0] < COUNT_CACHE_SECONDS:
        return cached[1]
    return None


def _remember_people(people: int) -> int:
    if people >= COUNT_CACHE_FROM:
        with _count_lock:
            _count_cache["people"] = (time.monotonic(), people)
    return people


def _weights_and_frequencies(
    own: scoring.Prepared, people: int | None = None, holding: dict[str, int] | None = None
) -> tuple[scoring.Weights, dict[str, float] | None]:
    """The model's weights for this many stored people, and how common her names are among them. `people` and
    `holding` ({name field: survivors holding her exact name}), when already read, are not counted again."""
    people = max(stored_people() if people is None else people, 2)
    # Rounded to two significant figures, so the weights are worked out once per size rather than once per referral.
    weights = _weights_for(int(float(f"{people:.2g}")))
    if people < FREQUENCIES_FROM:
        return weights, None
    frequencies = {}
    for field in splink_model.TERM_FREQUENCY_FIELDS:
        if own[field] is not None:
            if holding and field in holding:
                held = holding[field]
            else:
                held = LinkageRecord.objects.filter(**{field: own[field]}).count()
            frequencies[field] = max(held, 1) / people
    return weights, frequencies
