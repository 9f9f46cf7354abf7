"""The accountability report: how survivors of police-perpetrated abuse are faring, in aggregate only.

Counts per quarter by type of abuse, officer status, reporting decision and complaint outcome. Any count under 5 is
shown as "fewer than 5", and enough further cells are hidden that no hidden count can be worked out from the totals
(carehub.insight.suppression). No row ever names a person.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from carehub.cases.models import Case
from carehub.core.choices import AbuseType
from carehub.independent.models import Complaint, ComplaintOutcome, Decision, ReportingDecision
from carehub.insight.suppression import TOTAL, Table, suppress
from carehub.referrals.models import PolicePerpetrator, Referral

THRESHOLD = 5
HIDDEN_TEXT = "fewer than 5"
NO_DECISION = "Not recorded"
NO_COMPLAINT = "No complaint made"


@dataclass
class Section:
    title: str
    table: Table
    row_labels: dict


def _quarter(moment) -> str:
    return f"{moment.year} Q{(moment.month - 1) // 3 + 1}"


def sealed_referrals_for_aggregates():
    """Every sealed referral, unscoped on purpose: its only use is counting, and nothing it returns leaves this
    module except suppressed counts."""
    latest_decision = Decision.objects.filter(case__referral=OuterRef("pk")).order_by("-decided_on", "-pk")
    latest_outcome = Complaint.objects.filter(case__referral=OuterRef("pk")).order_by("-made_on", "-pk")
    return (
        Referral.objects.filter(sealed=True)
        .annotate(
            decision=Subquery(latest_decision.values("decision")[:1]),
            outcome=Subquery(latest_outcome.values("outcome")[:1]),
        )
        .values("received_at", "abuse_types", "perpetrator_police", "decision", "outcome")
    )


def build() -> list[Section]:
    rows = list(sealed_referrals_for_aggregates())
    quarters = sorted({_quarter(r["received_at"]) for r in rows})
    by: dict[str, Counter] = {"abuse": Counter(), "officer": Counter(), "decision": Counter(), "outcome": Counter()}
    for r in rows:
        q = _quarter(r["received_at"])
        for abuse in r["abuse_types"] or []:
            by["abuse"][(abuse, q)] += 1
        by["officer"][(r["perpetrator_police"], q)] += 1
        by["decision"][(r["decision"] or NO_DECISION, q)] += 1
        by["outcome"][(r["outcome"] or NO_COMPLAINT, q)] += 1
    officer_labels = {k: v for k, v in PolicePerpetrator.choices if k in {"serving", "former", "staff"}}
    sections = [
        ("Type of abuse (a referral may name several)", dict(AbuseType.choices), by["abuse"]),
        ("Officer status", officer_labels, by["officer"]),
        ("Reporting decision (latest)", {**dict(ReportingDecision.choices), NO_DECISION: NO_DECISION}, by["decision"]),
        ("Complaint outcome (latest)", {**dict(ComplaintOutcome.choices), NO_COMPLAINT: NO_COMPLAINT}, by["outcome"]),
    ]
    return [
        Section(title, suppress(list(labels), quarters, dict(counts), threshold=THRESHOLD), labels)
        for title, labels, counts in sections
    ]


def cell_text(table: Table, row, column) -> str:
    shown = table.shown(row, column)
    return HIDDEN_TEXT if shown is None else str(shown)


def as_csv(sections: list[Section]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "category", "quarter", "count"])
    for section in sections:
        for row in [*section.table.rows, TOTAL]:
            label = "Total" if row == TOTAL else section.row_labels.get(row, row)
            for column in [*section.table.columns, TOTAL]:
                writer.writerow(
                    [
                        section.title,
                        label,
                        "All quarters" if column == TOTAL else column,
                        cell_text(section.table, row, column),
                    ]
                )
    return out.getvalue()


def total_cases() -> int:
    return Case.objects.filter(sealed=True).count()
