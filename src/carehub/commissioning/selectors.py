"""Reading the published commissioning evidence for the page: aggregates only, as the run wrote them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db.models import QuerySet
from django.http import Http404

from carehub.accounts import policy
from carehub.commissioning.services import NAME, results_dir
from carehub.core import published as files
from carehub.core.choices import ServiceType
from carehub.core.london import BOROUGHS
from carehub.directory.models import Service
from carehub.extract.writer import service_key


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


def charts(document: dict, specs: dict | None = None) -> list[Chart]:
    """The page's charts, each with its table; `specs` for a filtered view (its own figures), else the published."""
    specs = specs if specs is not None else document["charts"]
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
    found = []
    rates = document["demand"].get("rates")
    if rates and "rates" in specs:
        found.append(
            Chart(
                "rates",
                f"Referrals a year per 10,000 adult women, by borough ({rates['first_month']} to "
                f"{rates['last_month']})",
                specs["rates"],
                [
                    "Borough",
                    "Referrals",
                    "Per 10,000 adult women a year",
                    "95% CI",
                    "SafeLives MARAC level (cases a year)",
                    "Full-time IDVAs for this demand",
                ],
                [
                    [
                        r["name"],
                        _fmt(r["referrals"]),
                        _fmt(r["rate"], 1),
                        _ci(r["low"], r["high"], 1),
                        "" if r["norm_cases"] is None else _fmt(r["norm_cases"]),
                        "" if r["idvas"] is None and r["referrals"] is not None else _fmt(r["idvas"], 1),
                    ]
                    for r in rates["rows"]
                ],
            )
        )
    return [
        *found,
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
        *_capacity_charts(document.get("capacity") or {}, specs),
    ]


def _days(spread: dict | None) -> tuple[str, str]:
    """A projected wait as (median, range over 8 in 10 futures); a year or more where the simulation's year ran out."""
    if not spread:
        return "", ""

    def said(days: float) -> str:
        return "a year or more" if days >= 365 else f"{days:,.0f}"

    return said(spread["median"]), f"{said(spread['low'])} to {said(spread['high'])}"


def _capacity_charts(capacity: dict, specs: dict) -> list[Chart]:
    """Today's caseworkers against what the wait target needs, then the waiting list projected with today's; none
    for evidence without the directory's FTE, or a filtered view (the gap is the hub's)."""
    if "capacity" not in specs or not capacity.get("today_recorded"):
        return []
    gap_rows, waiting_rows, types = [], [], dict(ServiceType.choices)
    for name, v in capacity["by_service_type"].items():
        today = v["today"]
        wait = _days((v["projection"] or {}).get("p90_wait"))
        gap_rows.append(
            [
                types.get(name, name),
                _fte(today["fte"]) if today["recorded"] else "not recorded",
                f"{len(today['not_recorded'])} of {today['services']}",
                _fte(v["needed"]["fte"]),
                "" if v["gap_fte"] is None else _fte(v["gap_fte"]),
                "" if v["surplus_fte"] is None else _fte(v["surplus_fte"]),
                "" if v["gap_cost"] is None else f"£{v['gap_cost']:,.0f}",
                *wait,
            ]
        )
        for w in (v["projection"] or {}).get("waiting", []):
            waiting_rows.append(
                [w["month"], types.get(name, name), f"{w['median']:,.0f}", f"{w['low']:,.0f} to {w['high']:,.0f}"]
            )
    target = f"{capacity['target_days']:.0f} days"
    return [
        Chart(
            "capacity",
            f"Full-time caseworkers by service type: recorded today, and needed to keep nine in ten waits under "
            f"{target}",
            specs["capacity"],
            ["Service type", "Recorded today", "Services with no FTE recorded", "Needed", "Gap", "Surplus",
             "Gap a year", "Nine in ten wait at most with today's (days)", "In 8 of 10 likely futures"],
            gap_rows,
        ),
        Chart(
            "projection",
            "Women waiting for a caseworker at each month end with today's caseworkers (projected)",
            specs["projection"],
            ["Month", "Service type", "Waiting (median future)", "In 8 of 10 likely futures"],
            waiting_rows,
        ),
    ]  # fmt: skip


def _fte(value: float) -> str:
    return f"{value:,.1f}"


def _ci(low, high, digits: int = 0) -> str:
    return "" if low is None or high is None else f"{low:,.{digits}f} to {high:,.{digits}f}"


def published() -> dict | None:
    path = results_dir() / NAME / "results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def published_file(kind: str) -> tuple[Path, str] | None:
    """(path, content type) of the published report or CSV, if it exists."""
    return files.published_file(results_dir() / NAME, kind)


@dataclass
class ScenarioRow:
    service_type: str
    monthly_demand: float
    fte: float
    budget: float
    p90_wait: float  # median over the simulated futures, days
    probability: float  # of meeting the wait target
    today_fte: float | None = None  # the directory's, summed over the type's services; None: not recorded
    needed_fte: float | None = None  # what the wait target needs (None: an extract without the directory)
    cost_per_fte: float = 0.0

    @property
    def label(self) -> str:
        return dict(ServiceType.choices).get(self.service_type, self.service_type.replace("_", " ").capitalize())

    @property
    def short_by(self) -> float | None:
        """Caseworkers this scenario lacks for the target (0 when it has enough: never negative)."""
        return None if self.needed_fte is None else max(self.needed_fte - self.fte, 0.0)

    @property
    def short_by_cost(self) -> float | None:
        return None if self.short_by is None else self.short_by * self.cost_per_fte

    @property
    def gap(self) -> float | None:
        """Today's funding gap (needed minus recorded today, never negative)."""
        if self.needed_fte is None or self.today_fte is None:
            return None
        return max(self.needed_fte - self.today_fte, 0.0)


def scenario_inputs(document: dict) -> dict:
    return (document.get("capacity") or {}).get("by_service_type") or {}


def scenario(document: dict, ftes: dict[str, float]) -> list[ScenarioRow]:
    """Projected waits per service type with the FTE asked for (the published starting FTE where none is asked:
    today's, from the directory, where recorded): the queue simulation re-run on the server with its fixed seed,
    cached by its inputs, from today's queue as the results publish it (as the commissioner page's year starts)."""
    from carehub.insight.commissioning.queue import projected_wait  # the statistics stack loads with this page only

    capacity = document["capacity"]
    cost = capacity["cost_per_fte"]
    rows = []
    for service_type, inputs in scenario_inputs(document).items():
        fte = ftes.get(service_type, inputs["fte"])
        now = inputs.get("queue_now") or {}  # today's queue, published; results written before it start empty
        wait, probability = projected_wait(
            round(inputs["monthly_demand"], 3),
            round(capacity["log_sd"], 4),
            tuple(inputs["durations_days"]),
            fte,
            capacity["caseload_per_fte"],
            capacity["target_days"],
            waiting_now=now.get("waiting"),
            open_now=now.get("open"),
            open_days_tenths=tuple(now.get("open_days_tenths") or ()),
        )
        today = inputs.get("today") or {}
        rows.append(
            ScenarioRow(
                service_type, inputs["monthly_demand"], fte, fte * cost, wait, probability,
                today_fte=today["fte"] if today.get("recorded") else None,
                needed_fte=(inputs.get("needed") or {}).get("fte"),
                cost_per_fte=cost,
            )
        )  # fmt: skip
    return rows


@dataclass
class FundingGap:
    sentence: str
    today_fte: float
    needed_fte: float
    gap_fte: float
    gap_cost: float
    not_recorded: list[str]  # names of the services whose FTE is not recorded, as the directory names them
    types_not_recorded: list[str]  # service types with no FTE recorded at all: they start from what is needed


def funding_gap(user, document: dict) -> FundingGap | None:
    """The gap in words and figures, with the services whose FTE is not recorded named from the directory (the
    extract carries their keys); None when the evidence holds no directory (the page says today's FTE is not
    recorded)."""
    from carehub.insight.commissioning.run import gap_sentence

    capacity = document.get("capacity") or {}
    if not capacity.get("today_recorded"):
        return None
    keys = {k for v in capacity["by_service_type"].values() for k in v["today"]["not_recorded"]}
    names = sorted(s.name for s in policy.services_visible_to(user) if service_key(s.pk) in keys)
    total = capacity["total"]
    return FundingGap(
        gap_sentence(capacity),
        total["today_fte"],
        total["needed_fte_recorded_types"],  # beside today's: the same service types
        total["gap_fte"],
        total["gap_cost"],
        names,
        total["not_recorded_types"],
    )


# --- filters, and a service manager's own services -----------------------------------------------------------------
# The figures come from the count tables the run kept beside results.json (insight.commissioning.views), summed and
# suppressed per request: the statistics stack is imported here, not with every page.


def _counts(prefix: str) -> dict | None:
    from carehub.insight.commissioning import views

    return views.read(results_dir() / NAME / "views", prefix)


@dataclass
class FilteredEvidence:
    filters: object  # views.Filters
    choices: dict[str, list[tuple[str, str]]]  # filter name: (value, label), the blank "all" first
    view: dict | None = None  # the filtered figures, when a filter is set and known
    error: str = ""  # an unknown value, said plainly
    charts: list[Chart] | None = None

    LABELS = {"borough": "Borough", "service_type": "Service type", "period": "Period"}

    @property
    def fields(self) -> list[dict]:
        """The form's selects, the chosen value selected (an unknown one selects nothing, so "all" shows)."""
        return [
            {
                "name": name,
                "label": label,
                "options": [(v, text, v == getattr(self.filters, name)) for v, text in self.choices[name]],
            }
            for name, label in self.LABELS.items()
        ]

    @property
    def described(self) -> str:
        """What the figures cover, in words: "Barnet, IDVA services, over the last 12 months"."""
        names = {name: dict(options) for name, options in self.choices.items()}
        borough = names["borough"].get(self.filters.borough) if self.filters.borough else "all boroughs"
        kind = (
            f"{names['service_type'].get(self.filters.service_type)} services"
            if self.filters.service_type
            else ("all service types")
        )
        return f"{borough}, {kind}, over {self.view['period_label'] if self.view else 'the whole of the data'}"


def filtered(document: dict, params) -> FilteredEvidence | None:
    """The filter form's choices (kept in results.json) and, when a filter is set, the figures for it from the
    count tables; None when the evidence was published before filters existed (publish again)."""
    from carehub.insight.commissioning import views
    from carehub.insight.commissioning.run import chart_specs

    allowed = document.get("filter_choices")
    if allowed is None:
        return None
    filters = views.Filters(
        borough=params.get("borough", "").strip(),
        service_type=params.get("service_type", "").strip(),
        period=params.get("period", "").strip() or "all",
    )
    types = dict(ServiceType.choices)
    result = FilteredEvidence(
        filters,
        {
            "borough": [("", "All boroughs"), *((b, BOROUGHS.get(b, b)) for b in allowed["borough"])],
            "service_type": [("", "All service types"), *((t, types.get(t, t)) for t in allowed["service_type"])],
            "period": [(p, label[0].upper() + label[1:]) for p, label in views.PERIODS.items()],
        },
    )
    if not filters.active:
        return result
    found = _counts("filters")
    if found is None:
        return None
    try:
        result.view = views.view(found, filters, _settings(document))
    except views.UnknownFilter as unknown:
        result.error = str(unknown)
        return result
    result.charts = charts(result.view, chart_specs(result.view))
    return result


def _settings(document: dict):
    """The run's settings (the site's norms and populations) at the threshold and perturbation the published
    evidence used, so a filtered view publishes the same number for the same women as the run did."""
    import dataclasses

    from carehub.commissioning.services import run_settings

    used = document["suppression"]
    settings = run_settings()
    return dataclasses.replace(
        settings,
        suppression_threshold=int(used["threshold"]),
        perturbation_max=int(used.get("max_change", settings.perturbation_max)),
        perturbation_variance=float(used.get("variance", settings.perturbation_variance)),
    )


def services_with_evidence(user) -> QuerySet[Service]:
    return policy.services_with_evidence_for(user).select_related("organisation").order_by("name")


@dataclass(frozen=True)
class Capacity:
    """Her service today, as the directory keeps it (what she set) beside its cases now: plain figures from the
    database, not the published evidence, since she may open every one of these cases herself."""

    caseload_cap: int  # open cases the service can hold at once (the directory's `capacity`)
    open_cases: int
    waiting: int  # cases waiting for a caseworker
    caseworkers: int  # distinct caseworkers holding its open cases (people named on cases, not their hours)
    stated_wait_days: int  # the wait the directory tells routing
    taking_referrals: bool
    caseworker_fte: Decimal | None = None  # full-time equivalents as she keeps them; None: not recorded

    @property
    def percent_of_cap(self) -> int | None:
        return round(100 * self.open_cases / self.caseload_cap) if self.caseload_cap else None

    @property
    def open_cases_per_fte(self) -> Decimal | None:
        """Open cases per full-time caseworker, to one decimal place; None when no FTE is recorded, or it is 0 (no
        ratio to give: the page shows the FTE itself)."""
        if not self.caseworker_fte:
            return None
        return (Decimal(self.open_cases) / self.caseworker_fte).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def service_capacity(user, service: Service) -> Capacity:
    """Her service's capacity from the directory and its open and waiting cases, counted through the policy (the
    cases she may see: sealed ones are not hers to count)."""
    from django.db.models import Count, Q

    from carehub.cases.models import CaseStatus

    counted = (
        policy.cases_visible_to(user)
        .filter(service=service)
        .aggregate(
            open_cases=Count("pk", filter=Q(status=CaseStatus.OPEN)),
            waiting=Count("pk", filter=Q(status=CaseStatus.WAITING)),
            caseworkers=Count("caseworker", filter=Q(status=CaseStatus.OPEN), distinct=True),
        )
    )
    return Capacity(
        caseload_cap=service.capacity,
        caseworker_fte=service.caseworker_fte,
        stated_wait_days=service.current_wait_days,
        taking_referrals=service.accepting_referrals,
        **counted,
    )


@dataclass
class ServiceEvidence:
    service: Service
    view: dict | None  # None when nothing is published yet
    charts: list[Chart]
    capacity: Capacity | None = None


def service_evidence(user, pk: int) -> ServiceEvidence:
    """One of her services' demand, waits and waiting list from the published counts; 404 for any other service,
    exactly as for one that does not exist."""
    from carehub.insight.commissioning import views
    from carehub.insight.commissioning.run import chart_specs

    service = services_with_evidence(user).filter(pk=pk).first()
    if service is None:
        raise Http404
    capacity = service_capacity(user, service)
    document = published()
    found = _counts("services") if document else None
    if found is None:
        return ServiceEvidence(service, None, [], capacity)
    view = views.view(
        found, views.Filters(service=service_key(service.pk)), _settings(document), document.get("end_of_data")
    )
    shown = [
        c for c in charts(view, chart_specs(view)) if c.key in ("demand", "waits") or (c.key == "declines" and c.rows)
    ]
    return ServiceEvidence(service, view, shown, capacity)
