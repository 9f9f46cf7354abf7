"""results.json, results.csv and report.html for one assessment, written together.

The JSON is the contract: its top-level keys and each result's fields are fixed (SCHEMA names the version), so
dashboards and later runs can rely on them. Only published-safe numbers ever reach these files: suppressed results
carry no counts, rates, ratios or p-values.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from .analysis import RESULT_FIELDS
from .engine import Assessment
from .findings import headline_findings
from .report import render_report

SCHEMA = "carehub.eia.results/1"
TOP_LEVEL_KEYS = ("schema", "assessment", "finding_rule", "suppression", "summary", "findings", "warnings", "results")


def results_document(assessment: Assessment) -> dict:
    """The JSON document: what was assessed, how, the plain-English findings, then every result row."""
    spec = assessment.spec
    return {
        "schema": SCHEMA,
        "assessment": {
            "title": spec.title,
            "aim": spec.aim,
            "evidence": spec.evidence,
            "engagement": spec.engagement,
            "decision": spec.decision,
            "monitoring": spec.monitoring,
            "period": {
                "start": spec.period_start.isoformat() if spec.period_start else None,
                "end": spec.period_end.isoformat() if spec.period_end else None,
                "months": spec.months,
            },
            "specification": spec.source.name if spec.source else None,
            **assessment.meta,
        },
        "finding_rule": {
            "alpha": spec.findings.alpha,
            "headline_adjustment": spec.findings.headline_adjustment,
            "exploratory_adjustment": spec.findings.exploratory_adjustment,
            "text": spec.findings.text,
        },
        "suppression": {"threshold": spec.threshold, "round_to": spec.round_to},
        "summary": {
            family: dict(Counter(r["finding"] for r in assessment.results if r["family"] == family))
            for family in ("headline", "exploratory")
        },
        "findings": [r["statement"] for r in headline_findings(assessment.results)],
        "warnings": assessment.warnings,
        "results": assessment.results,
    }


def write_outputs(assessment: Assessment, out_dir: str | Path) -> dict[str, Path]:
    """Write the three files into `out_dir` (created if needed) and return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    document = results_document(assessment)
    paths = {"json": out / "results.json", "csv": out / "results.csv", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with paths["csv"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULT_FIELDS)
        writer.writeheader()
        writer.writerows(assessment.results)
    paths["html"].write_text(render_report(assessment, document), encoding="utf-8")
    return paths
