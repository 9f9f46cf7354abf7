"""Reading the published commissioning evidence for the page: aggregates only, as the run wrote them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from carehub.commissioning.services import NAME, results_dir

FILES = {"report": ("report.html", "text/html; charset=utf-8"), "csv": ("results.csv", "text/csv; charset=utf-8")}


@dataclass
class Chart:
    key: str
    title: str
    spec: dict
    columns: list[str]
    rows: list[list]  # what the chart draws, as a table for screen readers (hidden figures shown as such)

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"


def _fmt(value, digits: int = 0) -> str:
    return "Hidden (small number)" if value is None else f"{value:,.{digits}f}"


def charts(document: dict) -> list[Chart]:
    specs = document["charts"]
    demand_rows = [[m["month"], _fmt(m["referrals"]), "", ""] for m in document["demand"]["monthly"]]
    demand_rows += [
        [m["month"], "", _fmt(m["mean"]), f"{m['lower95']:,.0f} to {m['upper95']:,.0f}"]
        for m in (document.get("forecast") or {}).get("months", [])
    ]
    waits = [
        [
            s["label"],
            _fmt(s["median"]),
            _ci(s["median_low"], s["median_high"]),
            _fmt(s["p90"]),
            _fmt(s["still_waiting"]),
        ]
        for s in document["waits"]["stages"].values()
    ]
    declines = [
        [d["service_type"], d["reason_label"], _fmt(d["declines"]), _fmt(d["per_100_offers"], 1)]
        for d in document["unmet"]["declines"]
    ]
    return [
        Chart(
            "demand",
            "Referrals each month, and the forecast",
            specs["demand"],
            ["Month", "Referrals", "Forecast", "95% prediction interval"],
            demand_rows,
        ),
        Chart(
            "waits",
            "Days waited, by step",
            specs["waits"],
            ["Waiting for", "Median days", "95% CI", "90th percentile days", "Still waiting"],
            waits,
        ),
        Chart(
            "declines",
            "Declines per 100 offers, by reason and service type",
            specs["declines"],
            ["Service type", "Reason", "Declines", "Per 100 offers"],
            declines,
        ),
    ]


def _ci(low, high) -> str:
    return "" if low is None or high is None else f"{low:,.0f} to {high:,.0f}"


def published() -> dict | None:
    path = results_dir() / NAME / "results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def published_file(kind: str) -> tuple[Path, str] | None:
    if kind not in FILES:
        return None
    filename, content_type = FILES[kind]
    path = results_dir() / NAME / filename
    return (path, content_type) if path.exists() else None


@dataclass
class ScenarioRow:
    service_type: str
    monthly_demand: float
    fte: float
    budget: float
    p90_wait: float  # median over the simulated futures, days
    probability: float  # of meeting the wait target


def scenario_inputs(document: dict) -> dict:
    return (document.get("capacity") or {}).get("by_service_type") or {}


def scenario(document: dict, ftes: dict[str, float]) -> list[ScenarioRow]:
    """Projected waits per service type with the FTE asked for (the published starting FTE where none is asked):
    the queue simulation re-run on the server with its fixed seed, cached by its inputs."""
    from carehub.insight.commissioning.queue import projected_wait  # the statistics stack loads with this page only

    capacity = document["capacity"]
    rows = []
    for service_type, inputs in scenario_inputs(document).items():
        fte = ftes.get(service_type, inputs["fte"])
        wait, probability = projected_wait(
            round(inputs["monthly_demand"], 3),
            round(capacity["log_sd"], 4),
            tuple(inputs["durations_days"]),
            fte,
            capacity["caseload_per_fte"],
            capacity["target_days"],
        )
        rows.append(
            ScenarioRow(service_type, inputs["monthly_demand"], fte, fte * capacity["cost_per_fte"], wait, probability)
        )
    return rows
