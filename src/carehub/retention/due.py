"""Which survivors' records have reached their date: the facts the schedule needs, read from the database in bulk.

One query narrows a million survivors to those who could be due (nothing open, every date older than the
shortest rule); the exact date of each of those is then worked out by schedule.due_date. A second finds the survivor
records no referral or case rests on, dated from their creation or latest correction (schedule.unreferred_due).
Read-only, asks no access policy: it is run by the operator's command and the daily task, and it returns survivor
keys to the retention service, never to a page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from carehub.audit.models import AuditEvent, EventType
from carehub.cases.models import Case, CaseStatus
from carehub.marac.models import MaracReferral
from carehub.people.models import Survivor
from carehub.referrals.models import Referral, Status
from carehub.retention import schedule as rules
from carehub.retention.models import LegalHold

OPEN_REFERRAL = (Status.RECEIVED, Status.IN_TRIAGE, Status.OFFERED)
CHUNK = 5000


@dataclass
class Due:
    """The survivors due on `as_of`, and the counts a run reports: by rule, the hub's and the sealed pathway's apart."""

    as_of: dt.date
    survivor_ids: list[int] = field(default_factory=list)
    sealed_ids: set[int] = field(default_factory=set)
    counts: Counter = field(default_factory=Counter)
    sealed_counts: Counter = field(default_factory=Counter)


def _latest(model, column: str):
    return Subquery(
        model.objects.filter(survivor_id=OuterRef("pk"))
        .order_by()
        .values("survivor_id")
        .annotate(m=Max(column))
        .values("m")[:1]
    )


def _candidates(cutoff: dt.datetime):
    """Survivors not yet erased, nothing of hers open, and no date of hers later than the cutoff."""
    open_case = Case.objects.filter(survivor_id=OuterRef("pk")).exclude(status=CaseStatus.CLOSED)
    open_referral = Referral.objects.filter(survivor_id=OuterRef("pk"), status__in=OPEN_REFERRAL)
    recent_referral = Referral.objects.filter(survivor_id=OuterRef("pk"), received_at__gt=cutoff)
    recent_case = Case.objects.filter(survivor_id=OuterRef("pk"), closed_at__gt=cutoff)
    return (
        Survivor.objects.filter(erased_at__isnull=True)
        .filter(~Exists(open_case), ~Exists(open_referral), ~Exists(recent_referral), ~Exists(recent_case))
        .filter(Exists(Referral.objects.filter(survivor_id=OuterRef("pk"))))
        .annotate(
            last_closed=_latest(Case, "closed_at"),
            last_received=_latest(Referral, "received_at"),
            last_marac=_latest(MaracReferral, "referred_on"),
            is_sealed=Exists(Referral.objects.filter(survivor_id=OuterRef("pk"), sealed=True)),
            has_children=Exists(
                Referral.objects.filter(survivor_id=OuterRef("pk")).filter(
                    Q(children_count__gt=0) | ~Q(children_ages="")
                )
            ),
        )
        .order_by("pk")
        .values_list("pk", "person_id", "last_closed", "last_received", "last_marac", "is_sealed", "has_children")
    )


def _unreferred(cutoff: dt.datetime):
    """Survivors not yet erased with no referral and no case, created on or before the cutoff, and the latest
    correction of her details (SURVIVOR_RECTIFIED in the hub's trail: a record with no referral is never sealed)."""
    corrected = (
        AuditEvent.objects.filter(survivor_id=OuterRef("pk"), event_type=EventType.SURVIVOR_RECTIFIED)
        .order_by()
        .values("survivor_id")
        .annotate(m=Max("at"))
        .values("m")[:1]
    )
    return (
        Survivor.objects.filter(erased_at__isnull=True, created_at__lte=cutoff)
        .filter(~Exists(Referral.objects.filter(survivor_id=OuterRef("pk"))))
        .filter(~Exists(Case.objects.filter(survivor_id=OuterRef("pk"))))
        .annotate(last_corrected=Subquery(corrected))
        .order_by("pk")
        .values_list("pk", "person_id", "created_at", "last_corrected")
    )


def _day(moment) -> dt.date | None:
    if moment is None or (isinstance(moment, dt.date) and not isinstance(moment, dt.datetime)):
        return moment
    return timezone.localtime(moment).date()


def _children(survivor_ids: list[int]) -> dict[int, list[tuple[dt.date, int | None, str]]]:
    found: dict[int, list] = defaultdict(list)
    rows = (
        Referral.objects.filter(survivor_id__in=survivor_ids)
        .filter(Q(children_count__gt=0) | ~Q(children_ages=""))
        .values_list("survivor_id", "received_at", "children_count", "children_ages")
    )
    for survivor_id, received, count, text in rows:
        found[survivor_id].append((_day(received), count, text))
    return found


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _held() -> set[int]:
    return set(LegalHold.objects.filter(lifted_at__isnull=True).values_list("survivor_id", flat=True))


def _linked_groups(candidate_persons: dict[int, int]) -> dict[int, set[int]]:
    """Every survivor record of each person a candidate belongs to (records confirmed to be the same woman)."""
    persons = set(candidate_persons.values())
    members: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(sorted(persons)):
        for pk, person in Survivor.objects.filter(Q(person_id__in=chunk) | Q(pk__in=chunk)).values_list(
            "pk", "person_id"
        ):
            members[person or pk].add(pk)
    return members


def find_due(*, as_of: dt.date, schedule: rules.Schedule | None = None) -> Due:
    """Every survivor whose records are due on `as_of`, held back by no legal hold, with counts by rule.

    A woman known under several survivor records (Survivor.person) is due only when all of them are, and a hold on
    any of them holds them all: her later referral on another record means she is still in touch.
    """
    schedule = schedule or rules.current()
    result = Due(as_of=as_of)
    cutoff_day = rules.years_after(as_of, -schedule.shortest_years)
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.max))
    rows = list(_candidates(cutoff).iterator(chunk_size=CHUNK))
    with_children = [row[0] for row in rows if row[6]]
    children: dict[int, list] = {}
    for chunk in _chunks(with_children):
        children.update(_children(chunk))
    due: dict[int, tuple[str, bool]] = {}
    persons: dict[int, int] = {}
    for pk, person, last_closed, last_received, last_marac, sealed, _has_children in rows:
        facts = rules.Facts(
            last_closed=_day(last_closed),
            last_received=_day(last_received),
            last_marac=_day(last_marac),
            sealed=bool(sealed),
            children=tuple(children.get(pk, ())),
        )
        day, rule = rules.due_date(schedule, facts)
        if day is not None and day <= as_of:
            due[pk] = (rule, bool(sealed))
            persons[pk] = person or pk
    unreferred_cutoff_day = rules.years_after(as_of, -schedule.unreferred_record_years)
    unreferred_cutoff = timezone.make_aware(dt.datetime.combine(unreferred_cutoff_day, dt.time.max))
    for pk, person, created, last_corrected in _unreferred(unreferred_cutoff).iterator(chunk_size=CHUNK):
        if rules.unreferred_due(schedule, _day(created), _day(last_corrected)) <= as_of:
            due[pk] = (rules.UNREFERRED, False)
            persons[pk] = person or pk
    held = _held()
    linked = Survivor.objects.filter(person__isnull=False).exists()
    groups = _linked_groups(persons) if linked and persons else {}
    erased = set()
    if groups:
        everyone = sorted({m for g in groups.values() for m in g} - set(due))
        for chunk in _chunks(everyone):
            erased.update(Survivor.objects.filter(pk__in=chunk, erased_at__isnull=False).values_list("pk", flat=True))
    for pk, (rule, sealed) in sorted(due.items()):
        counts = result.sealed_counts if sealed else result.counts
        group = groups.get(persons[pk], {pk})
        if group & held:
            counts["held"] += 1
            continue
        if any(member not in due and member not in erased for member in group):
            counts["linked_record_not_due"] += 1
            continue
        counts[rule] += 1
        counts["due"] += 1
        result.survivor_ids.append(pk)
        if sealed:
            result.sealed_ids.add(pk)
    return result
