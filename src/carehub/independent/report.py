"""The accountability report: how survivors of police-perpetrated abuse are faring, in aggregate only.

Counts per quarter by officer status, reporting decision and complaint outcome (referrals: each referral once in
each table), and by type of abuse (mentions: a referral may mention several, so those are never added to referrals).
Any count under 5 is shown as "fewer than 5", and enough further cells are hidden that no hidden count can be worked
out from the totals (carehub.insight.suppression); the referral tables share their quarterly totals, so a total
hidden in one is hidden in all. No row ever names a person.

It cannot be differenced: it is published for whole quarters only, once each has ended, from what was recorded before
the current quarter began. Reading it before and after a sealed referral arrives, or a decision is recorded, shows
nothing until the quarter ends, and then only that quarter's suppressed counts. `today` is always a parameter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from carehub.core.choices import AbuseType
from carehub.independent.models import Complaint, ComplaintOutcome, Decision, ReportingDecision
from carehub.insight.suppression import TOTAL, Table, suppress
from carehub.referrals.models import PolicePerpetrator, Referral

THRESHOLD = 5
HIDDEN_TEXT = "fewer than 5"
NO_DECISION = "Not recorded"
NO_COMPLAINT = "No complaint made"
REFERRALS, MENTIONS = "referrals", "mentions"
TOTAL_LABELS = {REFERRALS: "All referrals", MENTIONS: "All mentions"}
OFFICER_STATUSES = ("serving", "former", "staff")


@dataclass
class Section:
    title: str
    table: Table
    row_labels: dict
    unit: str = REFERRALS  # what a count counts: referrals, or mentions (never added to referrals)

    @property
    def total_label(self) -> str:
        return TOTAL_LABELS[self.unit]


@dataclass
class Report:
    """The published report: every quarter of the period, oldest first, up to the last quarter that has ended."""

    quarters: list[str]
    published_to: dt.date  # the last day of the last quarter that has ended
    sections: list[Section]


def publication_date() -> dt.date:
    """Today in London, the one place the report reads the clock (views call it; tests pass `today` instead)."""
    return timezone.localdate()


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarter(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def _quarters(first: dt.date, cutoff: dt.date) -> list[str]:
    """Every quarter from the one holding `first` to the last that ends before `cutoff`, empty ones included."""
    out, day = [], quarter_start(first)
    while day < cutoff:
        out.append(_quarter(day))
        day = dt.date(day.year + (day.month == 10), (day.month + 2) % 12 + 1, 1)
    return out


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day), timezone.get_default_timezone())


def sealed_referrals_for_aggregates(cutoff: dt.date) -> list[dict]:
    """Every sealed referral received before `cutoff`, unscoped on purpose: its only use is counting, and nothing it
    returns leaves this module except suppressed counts.

    Decisions and complaint outcomes are taken as they stood before `cutoff` too (a decision recorded since, or an
    outcome dated since, is not yet published), so nothing recorded in the current quarter moves a published count.
    """
    before = _local_midnight(cutoff)
    rows = list(
        Referral.objects.filter(sealed=True, received_at__lt=before)
        .order_by("pk")
        .values("pk", "received_at", "abuse_types", "perpetrator_police")
    )
    decisions: dict[int, str] = {}
    for referral_id, decision in (
        Decision.objects.filter(
            case__referral__in=[r["pk"] for r in rows], recorded_at__lt=before, decided_on__lt=cutoff
        )
        .order_by("decided_on", "pk")
        .values_list("case__referral_id", "decision")
    ):
        decisions[referral_id] = decision  # latest wins
    outcomes: dict[int, str] = {}
    recorded_before = Q(recorded_at__isnull=True) | Q(recorded_at__lt=before)
    for referral_id, outcome, outcome_on, outcome_recorded_at in (
        Complaint.objects.filter(recorded_before, case__referral__in=[r["pk"] for r in rows], made_on__lt=cutoff)
        .order_by("made_on", "pk")
        .values_list("case__referral_id", "outcome", "outcome_on", "outcome_recorded_at")
    ):
        settled_since = (outcome_on is not None and outcome_on >= cutoff) or (
            outcome_recorded_at is not None and outcome_recorded_at >= before
        )
        outcomes[referral_id] = ComplaintOutcome.ONGOING if settled_since else outcome
    for r in rows:
        r["decision"], r["outcome"] = decisions.get(r["pk"]), outcomes.get(r["pk"])
    return rows


def _first_day() -> dt.date | None:
    """The period starts with the first referral the hub received, of any kind: the period must not start where the
    sealed pathway's first referral did, or its first column would say there was one."""
    first = Referral.objects.order_by("received_at").values_list("received_at", flat=True).first()
    return timezone.localtime(first).date() if first else None


def build(*, today: dt.date) -> Report:
    """The report as published on `today`: the quarters that have ended, counted from what was recorded before."""
    cutoff = quarter_start(today)
    first = _first_day()
    quarters = _quarters(first, cutoff) if first and first < cutoff else []
    published_to = cutoff - dt.timedelta(days=1)
    rows = sealed_referrals_for_aggregates(cutoff) if quarters else []
    by: dict[str, Counter] = {"abuse": Counter(), "officer": Counter(), "decision": Counter(), "outcome": Counter()}
    for r in rows:
        q = _quarter(timezone.localtime(r["received_at"]).date())
        for abuse in set(r["abuse_types"] or []):
            by["abuse"][(abuse, q)] += 1
        by["officer"][(r["perpetrator_police"], q)] += 1
        by["decision"][(r["decision"] or NO_DECISION, q)] += 1
        by["outcome"][(r["outcome"] or NO_COMPLAINT, q)] += 1
    officer_labels = {k: v for k, v in PolicePerpetrator.choices if k in OFFICER_STATUSES}
    referral_tables = [
        ("Referrals by officer status", officer_labels, by["officer"]),
        (
            "Referrals by reporting decision (latest)",
            {**dict(ReportingDecision.choices), NO_DECISION: NO_DECISION},
            by["decision"],
        ),
        (
            "Referrals by complaint outcome (latest)",
            {**dict(ComplaintOutcome.choices), NO_COMPLAINT: NO_COMPLAINT},
            by["outcome"],
        ),
    ]
    sections = _suppressed_together(referral_tables, quarters)
    abuse_labels = dict(AbuseType.choices)
    sections.append(
        Section(
            "Types of abuse mentioned (a referral may mention several: these count mentions, not referrals)",
            suppress(list(abuse_labels), quarters, dict(by["abuse"]), threshold=THRESHOLD),
            abuse_labels,
            unit=MENTIONS,
        )
    )
    return Report(quarters=quarters, published_to=published_to, sections=sections)


def _suppressed_together(tables: list[tuple[str, dict, Counter]], quarters: list[str]) -> list[Section]:
    """Tables of the same referrals publish the same quarterly totals: a total hidden in one must be hidden in all,
    or another table would give it away. Suppress until no table hides a total the others show."""
    shared: set = set()
    while True:
        sections = [
            Section(title, suppress(list(labels), quarters, dict(counts), threshold=THRESHOLD, hidden=shared), labels)
            for title, labels, counts in tables
        ]
        totals = {cell for s in sections for cell in s.table.hidden if cell[0] == TOTAL}
        if totals <= shared:
            return sections
        shared |= totals


def cell_text(table: Table, row, column) -> str:
    shown = table.shown(row, column)
    return HIDDEN_TEXT if shown is None else str(shown)


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "counts", "category", "quarter", "count"])
    for section in report.sections:
        for row in [*section.table.rows, TOTAL]:
            label = section.total_label if row == TOTAL else section.row_labels.get(row, row)
            for column in [*section.table.columns, TOTAL]:
                writer.writerow(
                    [
                        section.title,
                        section.unit,
                        label,
                        "All quarters" if column == TOTAL else column,
                        cell_text(section.table, row, column),
                    ]
                )
    return out.getvalue()
