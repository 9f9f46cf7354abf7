"""report.html: a self-contained equality impact assessment a commissioner can read, share and print.

It follows the order an EIA records (DOMAIN.md): the commitment and its aim, the findings in plain English, the
analysis per metric (forest plots, then tables), evidence and engagement, method, caveats, decision and monitoring.
Everything is inline: CSS, charts as SVG, no script and no network, so it opens the same offline and on paper.
"""

from __future__ import annotations

import html
from collections import Counter

from .charts import forest_data, forest_svg
from .findings import LABELS, headline_findings

RDU_CAVEATS = (
    "Geography concentrates populations: where a group lives affects how often it meets a service or the police, so "
    "compare within areas as well as across London where the data allow (Race Disparity Unit).",
    "Rates use a census population as denominator. A population that has changed since the census, or a large "
    "'not stated' group in the data, moves the ratio: the bounds L and H beside each rate ratio show how far it could "
    "move if every record of unknown group belonged to the reference group (L) or to the group compared (H).",
    "Broad groups hide differences within them: read the detailed categories alongside the five ONS groups.",
    "A ratio shows a difference, not its cause.",
)
OUTCOME_TEST_NOTE = (
    "Outcome (hit-rate) test, after Pierson et al. (2020), Stanford Open Policing Project: if searches of one group "
    "find something (lead to an arrest or other action) less often than searches of another, the evidence needed "
    "to search that group may be lower, which suggests a lower bar for searching it. The test can mislead when "
    "groups differ in what they are searched for (infra-marginality), so it is read with the rate comparison, not "
    "instead of it. Not every outcome records a find: an outcome of action is a proxy for a successful search."
)
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#0b0c0c;
max-width:960px;margin:2rem auto;padding:0 1rem}
h1{font-size:2rem;margin-bottom:.25rem}h2{margin-top:2.5rem;border-bottom:2px solid #0b0c0c}h3{margin-top:1.75rem}
.lead{font-size:1.15rem}.meta{color:#505a5f}.box{border-left:6px solid #1d70b8;background:#f3f2f1;padding:.75rem 1rem}
.adverse{color:#b3261e;font-weight:600}.favourable{color:#1d70b8;font-weight:600}
ul.findings li{margin-bottom:.5rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}caption{text-align:left;font-weight:600;
padding:.25rem 0}th,td{border-bottom:1px solid #b1b4b6;padding:.3rem .4rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none}h2{page-break-before:auto}figure,table{page-break-inside:avoid}
a{color:inherit;text-decoration:none}}
"""


def render_report(assessment, document: dict) -> str:
    """The whole report as one HTML string."""
    spec, results = assessment.spec, assessment.results
    sections = [
        _header(spec, assessment.meta),
        _findings(spec, results, document),
        *(_metric_section(spec, metric, results) for metric in spec.metrics),
        _evidence(spec, assessment.meta),
        _method(spec),
        _caveats(spec, assessment.warnings),
        _decision(spec),
    ]
    return (
        '<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Equality impact assessment: {_e(spec.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def _header(spec, meta: dict) -> str:
    period = ""
    if spec.period_start and spec.period_end:
        period = f"Period: {spec.period_start:%d %B %Y} to {spec.period_end:%d %B %Y} ({spec.months:g} months). "
    return (
        f"<header><p class='meta'>Equality impact assessment</p><h1>{_e(spec.title)}</h1>"
        f"<p class='lead'>{_e(spec.aim)}</p>"
        f"<p class='meta'>{period}Generated {meta.get('generated_at', '')} on {meta.get('backend', '')}.</p></header>"
    )


def _findings(spec, results: list[dict], document: dict) -> str:
    headline = [r for r in results if r["family"] == "headline"]
    counts = Counter(r["finding"] for r in headline)
    items = []
    chosen = headline_findings(results)
    for metric in spec.metrics:
        lines = "".join(
            f"<li><span class='{r['finding']}'>{_e(r['statement'].split(':', 1)[0])}:</span>"
            f"{_e(r['statement'].split(':', 1)[1])}</li>"
            for r in chosen
            if r["metric"] == metric.name
        )
        if lines:
            items.append(f"<li><strong>{_e(metric.label)}</strong><ul class='findings'>{lines}</ul></li>")
    if not items:
        items.append("<li>No headline comparison met the rule for an adverse or favourable finding.</li>")
    summary = (
        f"Of {sum(counts[k] for k in ('adverse', 'favourable', 'no_evidence', 'too_few'))} headline comparisons, "
        f"{counts['adverse']} adverse, {counts['favourable']} favourable, {counts['no_evidence']} with no evidence of "
        f"difference and {counts['too_few']} too few to say."
    )
    exploratory = [r for r in results if r["family"] == "exploratory" and r["finding"] == "adverse"]
    exploratory.sort(key=lambda r: r.get("p_adjusted") or 1)
    explore = ""
    if exploratory:
        shown = "".join(f"<li>{_e(r['statement'])}</li>" for r in exploratory[:8])
        explore = (
            f"<h3>Exploratory: intersections, quarters and areas</h3><p>{len(exploratory)} exploratory comparisons "
            f"were adverse by the rule (Benjamini-Hochberg). The strongest:</p><ul class='findings'>{shown}</ul>"
        )
    return (
        f"<section><h2>Findings in plain English</h2><div class='box'><p>{_e(summary)}</p>"
        f"<ul class='findings'>{''.join(items)}</ul></div>{explore}"
        f"<p class='meta'>Rule: {_e(spec.findings.text)}</p></section>"
    )


def _metric_section(spec, metric, results: list[dict]) -> str:
    rows = [r for r in results if r["metric"] == metric.name]
    overall = next((r for r in rows if r["scope"] == "overall"), None)
    parts = [f"<section><h2>{_e(metric.label)}</h2>"]
    if metric.interpretation:
        parts.append(f"<p>{_e(metric.interpretation)}</p>")
    if metric.outcome_test:
        parts.append(f"<p class='box'>{_e(OUTCOME_TEST_NOTE)}</p>")
    if overall:
        parts.append(f"<p>Overall: {_e(overall['statement'])}</p>")
    for characteristic in spec.characteristics_of(metric):
        group_rows = [r for r in rows if r["scope"] == "group" and r["characteristic"] == characteristic.name]
        if not group_rows:
            continue
        parts.append(f"<h3>By {_e(characteristic.described)}</h3>")
        data = forest_data([r for r in group_rows if r["finding"] not in ("reference", "not_compared")])
        if len(data):
            svg = forest_svg(
                data,
                f"{metric.label}: ratio to {characteristic.label_of(characteristic.reference)}",
                characteristic.label_of(characteristic.reference),
            )
            parts.append(f"<figure>{svg}</figure>")
        parts.append(
            _table(metric, group_rows, f"{metric.label} by {characteristic.described}", threshold=spec.threshold)
        )
    parts.append(_exploratory_tables(metric, rows))
    parts.append("</section>")
    return "\n".join(parts)


def _exploratory_tables(metric, rows: list[dict]) -> str:
    parts = []
    quarters = [r for r in rows if r["scope"] == "quarter" and r["characteristic"] is None]
    if quarters:
        parts.append(_table(metric, quarters, f"{metric.label} by quarter (everyone)", first="Quarter"))
    for scope, title in (("intersection", "Intersections"), ("quarter", "Trends by quarter"), ("area", "Areas")):
        judged = [
            r for r in rows if r["scope"] == scope and r["characteristic"] and r["finding"] in ("adverse", "favourable")
        ]
        total = [r for r in rows if r["scope"] == scope and r["characteristic"]]
        if not total:
            continue
        counts = Counter(r["finding"] for r in total)
        parts.append(
            f"<h3>{title} (exploratory)</h3><p>{len(total)} results: {counts['adverse']} adverse, "
            f"{counts['favourable']} favourable, {counts['no_evidence']} no evidence of difference, "
            f"{counts['too_few']} too few to say. Adverse and favourable ones are listed; all are in results.csv.</p>"
        )
        if judged:
            judged.sort(key=lambda r: (r["finding"] != "adverse", r.get("p_adjusted") or 1))
            parts.append(_table(metric, judged[:40], f"{metric.label}: {title.lower()} with a finding", by=True))
    return "\n".join(parts)


def _table(
    metric, rows: list[dict], caption: str, *, by: bool = False, first: str = "Group", threshold: int = 10
) -> str:
    ratio_head = "Ratio of means" if metric.kind == "duration" else "Ratio"
    ratio_head += " (95% CI adjusted for multiple comparisons)"
    value_head = {
        "rate": f"Rate ({rows[0]['unit']})",
        "proportion": "Proportion (95% CI)",
        "duration": f"Median {metric.unit} (95% CI)",
    }[metric.kind]
    heads = [first, *(["Within"] if by else []), "n", value_head, ratio_head, "Adjusted p", "Finding"]
    if metric.kind == "rate":
        heads.insert(-2, "Bounds for not known (L to H)")
    out = [f"<table><caption>{_e(caption)}</caption><thead><tr>"]
    out += [f"<th scope='col'>{_e(h)}</th>" for h in heads]
    out.append("</tr></thead><tbody>")
    for r in rows:
        label = r["group_label"] or r.get("by_group_label") or "Everyone"
        cells = [f"<th scope='row'>{_e(label)}</th>"]
        if by:
            cells.append(f"<td>{_e(r.get('by_group_label') or '')}</td>")
        cells.append(f"<td class='n'>{_count(r, threshold)}</td>")
        cells.append(f"<td class='n'>{_value(metric, r)}</td>")
        cells.append(f"<td class='n'>{_ratio(r)}</td>")
        if metric.kind == "rate":
            bounds = "" if r.get("bound_low") is None else f"{r['bound_low']:.2f} to {r['bound_high']:.2f}"
            cells.append(f"<td class='n'>{bounds}</td>")
        cells.append(f"<td class='n'>{_p(r.get('p_adjusted'))}</td>")
        cells.append(f"<td>{_e(LABELS.get(r['finding'], r['finding']))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _evidence(spec, meta: dict) -> str:
    datasets = "".join(
        f"<li><strong>{_e(name)}</strong>: {_e(spec.datasets[name].description)} "
        f"<span class='meta'>({_e(info['source'])}{_rows(info)})</span></li>"
        for name, info in meta.get("datasets", {}).items()
    )
    populations = "".join(f"<li>{_e(p.name)}: {_e(p.description or p.dataset)}</li>" for p in spec.populations)
    return (
        "<section><h2>Evidence and engagement</h2>"
        f"<h3>Data</h3><ul>{datasets}</ul>"
        + (f"<h3>Population denominators</h3><ul>{populations}</ul>" if populations else "")
        + (f"<h3>Evidence</h3><p>{_e(spec.evidence)}</p>" if spec.evidence else "")
        + (f"<h3>Engagement</h3><p>{_e(spec.engagement)}</p>" if spec.engagement else "")
        + "</section>"
    )


def _method(spec) -> str:
    return (
        "<section><h2>Method</h2><ul>"
        "<li>Rates per 1,000 a year: events over population times months/12; 95% intervals exact Poisson (Garwood). "
        "Rate ratios to the reference group: exact conditional interval (Clopper-Pearson on the group's share of "
        "the two groups' events); p-value from the exact conditional test (statsmodels test_poisson_2indep, "
        "exact-cond).</li>"
        "<li>Proportions: Wilson 95% intervals. Ratios of proportions: Katz log interval (Koopman's score interval "
        "when a count is zero); p-value from Fisher's exact test when an expected count is under 5, otherwise the "
        "score (Pearson chi-squared) test.</li>"
        "<li>Durations: median with the exact distribution-free interval from order statistics; groups compared by "
        "the ratio of mean durations (log, delta-method interval) with Welch's test. Crossed characteristics report "
        "means only.</li>"
        "<li>Zero counts are never replaced by pseudocounts; two zero counts give no information.</li>"
        "<li>Intersections compare each combination with the combination of both reference groups.</li>"
        "<li>Multiple testing across the whole assessment: headline comparisons adjusted by "
        f"{_e(_adjustment(spec.findings.headline_adjustment))}, exploratory ones (intersections, quarters, areas) by "
        f"{_e(_adjustment(spec.findings.exploratory_adjustment))}; "
        "suppressed results are not tested.</li>"
        "<li>Each interval beside a ratio is the one its finding rests on: at the confidence level that agrees with "
        "the adjusted test (1 - 0.05 x p / adjusted p; for Bonferroni the familiar 1 - 0.05/m), so an interval that "
        "leaves out 1 goes with a finding. results.csv also gives the unadjusted 95% interval.</li>"
        f"<li>Small numbers: counts under {spec.threshold} are suppressed (a zero for a group with nobody in it "
        "discloses nothing and is shown), and the fewest further cells are hidden, chosen by a mixed-integer "
        "programme that prefers the 'not known' group, so that no suppressed count can be worked out from the "
        "published cells, totals and bounds (checked by linear programming: each could lie at least "
        f"{max(1, round(spec.threshold / 5))} either way of its value). A suppressed result publishes no count, "
        "rate, ratio or p-value, and says why: 'fewer than "
        f"{spec.threshold}', or 'hidden to protect a small group'. Bounds for the unknown group are computed with the "
        "most it can hold given what is published when its own count is hidden.</li>"
        "</ul></section>"
    )


def _caveats(spec, warnings: list[str]) -> str:
    items = list(spec.caveats) + ([c for c in RDU_CAVEATS] if any(m.kind == "rate" for m in spec.metrics) else [])
    if any(m.outcome_test for m in spec.metrics):
        items.append(OUTCOME_TEST_NOTE)
    items += [f"Data warning: {w}" for w in warnings]
    return "<section><h2>Caveats</h2><ul>" + "".join(f"<li>{_e(c)}</li>" for c in items) + "</ul></section>"


def _decision(spec) -> str:
    return (
        "<section><h2>Decision and monitoring</h2>"
        f"<h3>Decision</h3><p>{_e(spec.decision or 'Not yet recorded.')}</p>"
        f"<h3>Monitoring</h3><p>{_e(spec.monitoring or 'Not yet recorded.')}</p></section>"
    )


def _count(r: dict, threshold: int) -> str:
    if r.get("suppressed"):
        return {
            "fewer_than_threshold": f"fewer than {threshold}",
            "protects_small_group": "hidden to protect a small group",
        }.get(r.get("suppression"), "suppressed")
    if r.get("count") is None:
        return ""
    if r["kind"] == "proportion" and r.get("denominator") is not None:
        return f"{r['count']:,} of {r['denominator']:,}"
    return f"{r['count']:,}"


def _value(metric, r: dict) -> str:
    value = r.get("value")
    if value is None:
        return ""
    low, high = r.get("low"), r.get("high")
    if metric.kind == "proportion":
        return f"{100 * value:.1f}% ({100 * low:.1f} to {100 * high:.1f})"
    interval = f" ({low:,.1f} to {high:,.1f})" if low is not None and high is not None else ""
    return f"{value:,.1f}{interval}"


def _ratio(r: dict) -> str:
    if r.get("ratio") is None:
        return ""
    adjusted = r.get("adjusted_low") is not None or r.get("adjusted_high") is not None
    low_value, high_value = (
        (r.get("adjusted_low"), r.get("adjusted_high")) if adjusted else (r.get("ratio_low"), r.get("ratio_high"))
    )
    low = "" if low_value is None else f"{low_value:.2f}"
    high = "∞" if high_value is None else f"{high_value:.2f}"
    return f"{r['ratio']:.2f} ({low} to {high})"


def _p(value: float | None) -> str:
    if value is None:
        return ""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _rows(info: dict) -> str:
    return f", {info['rows']:,} rows" if info.get("rows") is not None else ""


def _adjustment(method: str) -> str:
    return {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni"}.get(method, method)


def _e(text) -> str:
    return html.escape(str(text), quote=True)
