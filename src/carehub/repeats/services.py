"""Recognising a survivor who comes back: hub workers' decisions on the suggestions (matching.py makes those).

`match_decide` records a hub worker's answer. A confirmed pair joins the two survivors into one person (models.py
says why a link rather than moving the referral), and marks the referral a repeat when it arrived within 12 months of
the end of one of her earlier cases.

The person: the decisions are the record of who is linked to whom, and matching.linked_survivor_ids walks them for a
page.
Analysis needs the same answer for every referral at once (cases.commissioning, the extract: 10M referrals), where a
walk per row is out of the question, so confirming also keeps `Survivor.person` up to date in the same transaction
(_join_people): every survivor of the two people being joined takes the lower of their two ids. Decisions are never
undone or changed (a different decision on a decided pair is refused), so people only ever merge and the field can
always be rebuilt from the decisions alone (migration repeats 0002 does exactly that).
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from carehub.accounts.models import User
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.models import Case, OnwardReferral
from carehub.core.dates import add_months
from carehub.core.services import ServiceError
from carehub.people.models import Survivor
from carehub.referrals.models import Referral
from carehub.repeats.matching import linked_survivor_ids, suggest_matches
from carehub.repeats.models import MatchDecision, Outcome

REPEAT_WINDOW_MONTHS = 12  # a referral within this long of the end of an earlier case is a repeat referral


class RepeatError(ServiceError):
    """A decision that cannot be recorded, with a message a person understands."""


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


def free_text_clear(*, survivor_ids: list[int]) -> int:
    """Blank the reasons given for undoing repeat decisions about these survivors (free text in the clear that may
    name her), for erasure. The decisions themselves stay: who decided, when, and the outcome."""
    return (
        MatchDecision.objects.filter(Q(survivor_id__in=survivor_ids) | Q(earlier_survivor_id__in=survivor_ids))
        .exclude(undo_reason="")
        .update(undo_reason="")
    )
