"""The commissioners' page for demand, waits, unmet need and the funding gap. Thin: the selectors read, the
template renders."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.commissioning import selectors
from carehub.core.choices import Role
from carehub.core.published import file_download


@policy.route(Role.COMMISSIONER, check=policy.can_see_commissioning_evidence)
def index(request: HttpRequest) -> HttpResponse:
    """The hub's evidence, or the figures for a borough, service type and period (GET, so a filtered page is a
    link); an unknown filter value answers 400 with the reason, never a page of empty figures or an error."""
    document = selectors.published()
    evidence = selectors.filtered(document, request.GET) if document else None
    charts = []
    if document:
        charts = evidence.charts if evidence and evidence.charts is not None else selectors.charts(document)
    gap = selectors.funding_gap(request.user, document) if document and not (evidence and evidence.view) else None
    context = {"document": document, "evidence": evidence, "charts": charts, "funding_gap": gap}
    return render(request, "commissioning/index.html", context, status=400 if evidence and evidence.error else 200)


@policy.route(Role.SERVICE_MANAGER, check=policy.can_see_own_service_evidence)
def service(request: HttpRequest, pk: int) -> HttpResponse:
    """A service manager's own service: its demand, waits, waiting list and declines from the published evidence,
    and its capacity today from the directory beside its cases now."""
    evidence = selectors.service_evidence(request.user, pk)
    threshold = evidence.view["threshold"] if evidence.view else None
    context = {"evidence": evidence, "charts": evidence.charts, "threshold": threshold}
    return render(request, "commissioning/service.html", context)


MAX_FTE = 10_000.0


def _fte(value: str | None, per: float = 1.0) -> float | None:
    """Whole or half FTE from the form (a budget divided by the cost `per` FTE); anything else (blank, words,
    negative, absurd) is ignored."""
    try:
        number = round(float((value or "").replace(",", "").replace("£", "")) / per * 2) / 2
    except ValueError:
        return None
    return number if 0 <= number <= MAX_FTE else None


@policy.route(Role.COMMISSIONER, check=policy.can_see_commissioning_evidence)
def scenario(request: HttpRequest) -> HttpResponse:
    """Change the FTE (or budget) per service type and see the projected waits; GET, so a scenario is a link."""
    document = selectors.published()
    context: dict = {"document": document, "rows": []}
    if document and selectors.scenario_inputs(document):
        cost = document["capacity"]["cost_per_fte"]
        ftes = {}
        for service_type in selectors.scenario_inputs(document):
            fte = _fte(request.GET.get(f"fte-{service_type}"))
            budget = _fte(request.GET.get(f"budget-{service_type}"), per=cost)
            if fte is not None or budget is not None:
                ftes[service_type] = fte if fte is not None else budget
        context["rows"] = selectors.scenario(document, ftes)
        context["capacity"] = document["capacity"]
        context["funding_gap"] = selectors.funding_gap(request.user, document)
    return render(request, "commissioning/scenario.html", context)


# The report is one self-contained file with its styles inline and no scripts: inline styles are allowed for it alone.
@csp_update({"style-src": ["'self'", "'unsafe-inline'"]})
@policy.route(Role.COMMISSIONER, check=policy.can_see_commissioning_evidence)
def download(request: HttpRequest, kind: str) -> HttpResponse:
    return file_download(selectors.published_file(kind), kind, "commissioning-results.csv")
