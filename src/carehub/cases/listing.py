"""What a list of cases shows beside each case: who she is (a short label), her risk, the last contact and the next
thing to do, so a caseworker or manager sees at a glance which case needs her today.

Read for a whole page at once, in one query beside the list's own (`case_rows`), never case by case: a caseload of
sixty must cost what a caseload of six costs. Her label needs her identity, so each row's read is audited (one
`list` event per case, written together), and whether the label names her is the access policy's decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from carehub.accounts import policy
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType
from carehub.cases.models import Case, CaseStatus, Contact, SafetyPlan
from carehub.marac.models import MaracAction, MaracReferral
from carehub.people.labels import case_label


@dataclass(frozen=True)
class NextAction:
    text: str
    on: dt.date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class CaseRow:
    case: Case
    label: str
    last_contact: dt.date | None
    next_action: NextAction


def case_rows(*, user, cases: Iterable[Case], today: dt.date | None = None) -> list[CaseRow]:
    """The rows of one page of cases the user may see (read through the policy by the caller), in the page's order.

    One query reads what every row needs (her sealed identity and key, the last contact, whether a safety plan
    exists, her next MARAC meeting and the first open MARAC action); one batch of audit events records the reads.
    """
    page = list(cases)
    if not page:
        return []
    today = today or timezone.localdate()
    details = {
        c.pk: c
        for c in Case.objects.filter(pk__in=[c.pk for c in page])
        .select_related("survivor__data_key")
        .annotate(
            last_contact=Subquery(Contact.objects.filter(case=OuterRef("pk")).order_by("-on").values("on")[:1]),
            has_plan=Exists(SafetyPlan.objects.filter(case=OuterRef("pk"))),
            marac_on=Subquery(
                MaracReferral.objects.filter(referral=OuterRef("referral_id"), outcome="", meeting_date__gte=today)
                .order_by("meeting_date")
                .values("meeting_date")[:1]
            ),
            marac_action_due=Subquery(
                MaracAction.objects.filter(marac__referral=OuterRef("referral_id"), done_at__isnull=True)
                .order_by("due_on")
                .values("due_on")[:1]
            ),
        )
    }
    rows = []
    with transaction.atomic(), audit.batched():
        for case in page:
            found = details[case.pk]
            named = policy.names_her_on_case_lists(user, case)
            label = case_label(found.survivor.identity, named=named)
            audit.record_for(
                user, Action.LIST, case, changes={"label": "name" if named else "initials"}, event=EventType.CASE_LISTED
            )
            rows.append(CaseRow(case, label, found.last_contact, next_action(found, today=today)))
    return rows


def next_action(case: Case, *, today: dt.date) -> NextAction:
    """The one thing to do next on a case, from its annotations (see case_rows).

    Steps without a date come first, because nothing else can start without them: a caseworker to hold the case,
    then a safety plan. After that, whichever dated duty falls first: her MARAC meeting, an open MARAC action, or
    the next contact, due CAREHUB_NO_CONTACT_DAYS days after the last one (or after the case opened).
    """
    if case.status == CaseStatus.WAITING:
        return NextAction("Allocate a caseworker")
    if case.status == CaseStatus.CLOSED:
        return NextAction("None: the case is closed")
    if not case.has_plan:
        return NextAction("Agree a safety plan")
    since = case.last_contact or (timezone.localtime(case.opened_at).date() if case.opened_at else today)
    dated = [(since + dt.timedelta(days=settings.CAREHUB_NO_CONTACT_DAYS), "Contact her by")]
    if case.marac_on:
        dated.append((case.marac_on, "MARAC meeting on"))
    if case.marac_action_due:
        dated.append((case.marac_action_due, "MARAC action due"))
    on, text = min(dated)
    return NextAction(text, on=on, overdue=on < today)
