"""Findings in plain words, by the rule the specification states (../shared/DOMAIN.md, "Findings").

A comparison is *adverse* when its adjusted p-value is under alpha and the whole 95% interval of the ratio lies on
the harmful side of 1 (above 1 when more is worse, below 1 when more is better); *favourable* likewise on the
other side; otherwise *no evidence of difference*. A group under the suppression threshold is *too few to say*, and
so is a comparison where neither group has any event (no information). The words never claim more than the rule.
"""

from __future__ import annotations

from .spec import UNKNOWN, Metric, Spec

LABELS = {
    "adverse": "Adverse",
    "favourable": "Favourable",
    "no_evidence": "No evidence of difference",
    "too_few": "Too few to say",
    "reference": "Reference group",
    "not_compared": "Not compared (group not known, or no population figure)",
    "descriptive": "Descriptive",
}


def headline_findings(results: list[dict]) -> list[dict]:
    """Headline adverse findings first, then favourable; within each, by metric and characteristic as the
    specification orders them, the largest departure from 1 first."""
    metrics = list(dict.fromkeys(r["metric"] for r in results))
    characteristics = list(dict.fromkeys(r["characteristic"] for r in results if r["characteristic"]))

    def order(row: dict) -> tuple:
        ratio = row.get("ratio") or 1.0
        departure = -max(ratio, 1 / ratio) if ratio > 0 else 0.0
        return (
            row["finding"] != "adverse",
            metrics.index(row["metric"]),
            characteristics.index(row["characteristic"]),
            departure,
        )

    chosen = [r for r in results if r["family"] == "headline" and r["finding"] in ("adverse", "favourable")]
    return sorted(chosen, key=order)


def judge(row: dict, metric: Metric, spec: Spec) -> str:
    """The finding code for one result row."""
    if row.get("finding") in ("reference", "not_compared", "too_few"):
        return row["finding"]
    if row.get("scope") in ("overall", "quarter", "area") and row.get("characteristic") is None:
        return "descriptive"
    ratio, p = row.get("ratio"), row.get("p_adjusted")
    low, high = _interval(row)
    if ratio is None or p is None:
        return "too_few"
    if p >= spec.findings.alpha:
        return "no_evidence"
    above = low is not None and low > 1
    below = high is not None and high < 1
    if not (above or below):
        return "no_evidence"
    harmful = above if metric.higher_is == "worse" else below
    return "adverse" if harmful else "favourable"


def statement(row: dict, metric: Metric, threshold: int | None = None) -> str:
    """One sentence a commissioner can read: who, what, against whom, how sure, and the finding."""
    finding = row.get("finding")
    who = _who(row)
    if finding == "descriptive":
        return f"{metric.label}, {who}: {_value(row, metric)}."
    if finding == "reference":
        return f"{who} is the reference group: {metric.label.lower()} {_value(row, metric)}."
    if finding == "not_compared":
        if row.get("group") != UNKNOWN and metric.kind == "rate":
            return f"{who}: {_count_text(row, metric)}; no population figure (or period) for this group, so no rate."
        return f"{who}: {_count_text(row, metric)}; not compared with a reference group."
    if finding == "too_few":
        return f"{who}: {suppressed_words(row, metric, threshold)}."
    ratio = row.get("ratio")
    low, high = _interval(row)
    comparison = (
        f"{_value(row, metric)} against {_value(row, metric, reference=True)} for {row['reference_label']}; "
        f"{_ratio_text(metric)}{_num(ratio, 2)} times {_ratio_word(metric)} "
        f"({interval_words(row)} {_num(low, 2)} to {_num(high, 2)}; adjusted p {_p(row.get('p_adjusted'))})"
    )
    if finding == "no_evidence" and low is not None and high is not None and (low > 1 or high < 1):
        comparison += "; the interval leaves out 1 but the adjusted test does not reject, so no finding is made"
    lead = {
        "adverse": "Adverse",
        "favourable": "Favourable",
        "no_evidence": "No evidence of difference",
    }[finding]
    return f"{lead}: {metric.label.lower()} for {who}, {comparison}."


def suppressed_words(row: dict, metric: Metric, threshold: int | None) -> str:
    """True words for a result without figures: "fewer than 10" only when it is."""
    reason = row.get("suppression")
    if row.get("ratio_method") == "no events in either group":
        return f"too few to say (no events in this group or in {row['reference_label']}: no information)"
    if reason == "reference_hidden":
        return f"not compared: the reference group ({row['reference_label']}) is hidden to protect a small group"
    if reason == "protects_small_group":
        return "hidden to protect a small group (its figures would let a smaller group's be worked out)"
    if reason == "fewer_than_threshold" and threshold:
        return f"too few to say (fewer than {threshold}); figures suppressed so no one can be identified"
    return "too few to say; figures suppressed so no one can be identified"


def interval_words(row: dict) -> str:
    """Which interval is shown: the one the finding rests on, adjusted for the comparisons made, and so named."""
    level = row.get("adjusted_level")
    if level is None or row.get("adjusted_low") is None:
        return "95% CI"
    family = "headline" if row.get("family") == "headline" else "exploratory"
    return f"95% CI adjusted for the {family} comparisons (at {100 * level:.2f}%)"


def _interval(row: dict) -> tuple[float | None, float | None]:
    """The interval a finding rests on: adjusted for multiple comparisons when it has been, else the 95% one."""
    if row.get("adjusted_low") is not None or row.get("adjusted_high") is not None:
        return row.get("adjusted_low"), row.get("adjusted_high")
    return row.get("ratio_low"), row.get("ratio_high")


def _who(row: dict) -> str:
    group = row.get("group_label")
    by = row.get("by_group_label")
    scope = row.get("scope")
    if group is None:
        return "everyone" if by is None else f"everyone in {by}"
    described = f" ({row['recorded_as']})" if row.get("recorded_as") else ""
    if scope == "intersection":
        return f"{group} and {by}"
    if scope in ("quarter", "area"):
        return f"{group}{described} in {by}"
    return f"{group}{described}"


def _value(row: dict, metric: Metric, *, reference: bool = False) -> str:
    value = row.get("reference_value" if reference else "value")
    if value is None:
        return "no figure"
    if metric.kind == "rate":
        return f"{_num(value, 1)} {row['unit']}"
    if metric.kind == "proportion":
        text = f"{100 * value:.1f}%"
        if not reference and row.get("count") is not None and row.get("denominator") is not None:
            text += f" ({row['count']:,} of {row['denominator']:,})"
        return text
    text = f"median {_num(value, 1)} {metric.unit}"
    if not reference and row.get("mean") is not None:
        text += f" (mean {_num(row['mean'], 1)})"
    return text


def _count_text(row: dict, metric: Metric) -> str:
    if row.get("count") is None:
        return "figures suppressed"
    if metric.kind == "proportion":
        return _value(row, metric)
    return f"{row['count']:,}"


def _ratio_text(metric: Metric) -> str:
    return "on average " if metric.kind == "duration" else ""


def _ratio_word(metric: Metric) -> str:
    return {"rate": "as high", "proportion": "as likely", "duration": "as long"}[metric.kind]


def _num(value: float | None, digits: int) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 0.001:
        return "< 0.001"
    return f"= {value:.3f}"
