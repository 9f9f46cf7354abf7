"""results.json, results.csv and report.html for one run, written together.

results.json is the contract (`schema` names its version); results.csv flattens the estimates one per row for a
spreadsheet; report.html is one self-contained page, styles inline, charts as inline SVG, no scripts. Only
published-safe numbers reach any of them: suppressed groups carry no counts or estimates.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from .charts import difference_chart, incidence_curves

CSV_FIELDS = ("section", "measure", "group", "level", "band", "estimate", "low", "high", "n", "suppressed")


def csv_rows(document: dict) -> list[dict]:
    trial, naive = document["trial"], document["naive"]
    rows = []
    for arm, risk in trial["risk"].items():
        rows.append(
            {
                "section": "trial",
                "measure": "risk at horizon",
                "level": arm,
                "estimate": risk["estimate"],
                "low": risk["ci"][0],
                "high": risk["ci"][1],
            }
        )
    for name in ("risk_difference", "risk_ratio"):
        rows.append(
            {
                "section": "trial",
                "measure": name,
                "estimate": trial[name]["estimate"],
                "low": trial[name]["ci"][0],
                "high": trial[name]["ci"][1],
            }
        )
        rows.append(
            {
                "section": "naive",
                "measure": name,
                "estimate": naive[name]["estimate"],
                "low": naive[name]["ci"][0],
                "high": naive[name]["ci"][1],
            }
        )
    lm = document["landmark"]["hazard_ratio"]
    rows.append(
        {
            "section": "landmark",
            "measure": "hazard ratio",
            "estimate": lm["estimate"],
            "low": lm["ci"][0],
            "high": lm["ci"][1],
            "n": document["landmark"]["episodes"],
        }
    )
    for c in document["cox"]["bands"] + document["cox"]["confounders"]:
        rows.append(
            {
                "section": "cox",
                "measure": "hazard ratio",
                "level": c["covariate"],
                "estimate": c["hazard_ratio"],
                "low": c["low"],
                "high": c["high"],
            }
        )
    for band in document["describe"]["bands"]:
        rows.append(
            {
                "section": "describe",
                "measure": "cumulative incidence at horizon",
                "band": band["band"],
                "estimate": band.get("at_52_weeks"),
                "n": band["episodes"] if not band["suppressed"] else None,
                "suppressed": band["suppressed"],
            }
        )
    for g in document["describe"]["groups"]:
        rows.append(
            {
                "section": "describe",
                "measure": "cumulative incidence at horizon",
                "group": g["group"],
                "level": g["level"],
                "band": g["band"],
                "estimate": g["risk_52_weeks"],
                "n": g["episodes"],
                "suppressed": g["suppressed"],
            }
        )
    m = document["money"]
    rows.append(
        {
            "section": "money",
            "measure": "repeats avoided per 1,000 women",
            "estimate": m["repeats_avoided_per_1000"],
            "low": m["repeats_avoided_ci"][0],
            "high": m["repeats_avoided_ci"][1],
        }
    )
    rows.append(
        {
            "section": "money",
            "measure": "cost per repeat avoided",
            "estimate": m["cost_per_repeat_avoided"],
            "low": m["cost_per_repeat_avoided_ci"][0],
            "high": m["cost_per_repeat_avoided_ci"][1],
        }
    )
    return [{field: row.get(field) for field in CSV_FIELDS} for row in rows]


def charts(document: dict) -> dict[str, str]:
    """The two charts as SVG text: incidence curves by band, and adjusted against naive."""
    describe = document["describe"]
    curves = {b["band"]: b["cumulative_incidence"] for b in describe["bands"] if not b["suppressed"]}
    trial, naive = document["trial"], document["naive"]
    comparison = [
        ("Emulated trial (adjusted)", trial["risk_difference"]["estimate"], *trial["risk_difference"]["ci"]),
        ("Direct comparison (naive)", naive["risk_difference"]["estimate"], *naive["risk_difference"]["ci"]),
    ]
    s = document["settings"]
    return {
        "curves": incidence_curves(describe["weeks"], curves, "Repeat referrals after support ended, by length"),
        "comparison": difference_chart(comparison, f"{s['long_weeks']} against {s['short_weeks']} weeks of support"),
    }


STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#0b0c0c;
line-height:1.5}
h1{font-size:2rem}h2{margin-top:2rem}table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #b1b4b6;
padding:.3rem .6rem;text-align:left}td.n{text-align:right}.headline{font-size:1.3rem;font-weight:bold;border-left:
6px solid #1d70b8;padding-left:1rem}"""


def _pct(value) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def render_report(document: dict) -> str:
    svg = charts(document)
    esc = html.escape
    trial, naive, s = document["trial"], document["naive"], document["settings"]
    findings = document["findings"]
    parts = [
        "<!doctype html>",
        '<html lang="en-GB"><head><meta charset="utf-8"><title>' + esc(document["question"]) + "</title>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>{esc(document['question'])}</h1>",
        f'<p class="headline">{esc(findings[0])}</p>',
        "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in findings[1:]) + "</ul>",
        f"<p>{document['data']['episodes']:,} episodes of support, {document['data']['people']:,} women, extract of "
        f"{esc(document['data']['extract_date'])}.</p>",
        "<h2>Adjusted and naive estimates</h2>",
        svg["comparison"],
        "<table><caption>Risk of a repeat referral within "
        f"{s['horizon_weeks']} weeks</caption><thead><tr><th scope='col'>Estimate</th><th scope='col'>Time origin</th>"
        "<th scope='col'>Difference (95% interval)</th></tr></thead><tbody>",
        f"<tr><td>Emulated trial, adjusted</td><td>start of support</td><td class='n'>{_diff(trial)}</td></tr>",
        f"<tr><td>Direct comparison, unadjusted</td><td>end of support</td><td class='n'>{_diff(naive)}</td></tr>",
        "</tbody></table>",
        "<h2>Repeat referrals after support ended, by length of support</h2>",
        svg["curves"],
        _bands_table(document),
        "<h2>What the estimate assumes</h2>",
        "<ul>" + "".join(f"<li>{esc(a)}</li>" for a in trial["assumptions"]) + "</ul>",
        "<h2>The emulated trial</h2><dl>"
        + "".join(
            f"<dt>{esc(k.replace('_', ' ').capitalize())}</dt><dd>{esc(_text(v))}</dd>"
            for k, v in trial["design"].items()
        )
        + "</dl>",
        _weights_table(trial),
        "<h2>Suppression</h2>",
        f"<p>Groups with fewer than {s['suppression_threshold']} episodes or repeats are not shown, nor any figure "
        "from which a hidden one could be worked out.</p>",
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _text(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _diff(part: dict) -> str:
    rd = part["risk_difference"]
    return f"{100 * rd['estimate']:+.1f} points ({100 * rd['ci'][0]:+.1f} to {100 * rd['ci'][1]:+.1f})"


def _bands_table(document: dict) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(b['band'])}</td>"
        f"<td class='n'>{b['episodes'] if not b['suppressed'] else 'Too few to show'}</td>"
        f"<td class='n'>{_pct(b.get('at_13_weeks'))}</td><td class='n'>{_pct(b.get('at_26_weeks'))}</td>"
        f"<td class='n'>{_pct(b.get('at_52_weeks'))}</td></tr>"
        for b in document["describe"]["bands"]
    )
    return (
        "<table><caption>Cumulative incidence of a repeat referral after support ended (Aalen-Johansen)</caption>"
        "<thead><tr><th scope='col'>Support</th><th scope='col'>Episodes</th><th scope='col'>13 weeks</th>"
        f"<th scope='col'>26 weeks</th><th scope='col'>52 weeks</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _weights_table(trial: dict) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td class='n'>{w.get('clones', 0):,}</td>"
        f"<td class='n'>{w.get('median', 0):.2f}</td>"
        f"<td class='n'>{w.get('p99', 0):.2f}</td><td class='n'>{w.get('max', 0):.2f}</td></tr>"
        for name, w in trial["weights"].items()
    )
    return (
        "<table><caption>Weights of the clones that followed each strategy</caption><thead><tr><th scope='col'>"
        "Strategy</th><th scope='col'>Clones</th><th scope='col'>Median</th><th scope='col'>99th percentile</th>"
        f"<th scope='col'>Largest</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def write_outputs(document: dict, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "csv": out / "results.csv", "html": out / "report.html"}
    paths["json"].write_text(
        json.dumps(document, indent=2, ensure_ascii=False, default=_plain) + "\n", encoding="utf-8"
    )
    with paths["csv"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(csv_rows(document))
    paths["html"].write_text(render_report(document), encoding="utf-8")
    return paths


def _plain(value):
    """numpy numbers and tuples the JSON encoder does not know."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
