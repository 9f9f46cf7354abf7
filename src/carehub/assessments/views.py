"""Commissioners' pages for the published equality impact assessments. Thin: the selectors read, templates render."""

from __future__ import annotations

import csv

from csp.decorators import csp_update
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.assessments import selectors
from carehub.core.choices import Role
from carehub.core.published import file_download


@policy.route(Role.COMMISSIONER, check=policy.can_see_equality_assessments)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "equality/index.html", {"assessments": selectors.published_all()})


@policy.route(Role.COMMISSIONER, check=policy.can_see_equality_assessments)
def detail(request: HttpRequest, name: str) -> HttpResponse:
    published = selectors.published(name)
    if published is None:
        raise Http404
    return render(request, "equality/detail.html", {"assessment": published})


# The report is one self-contained file with its styles inline and no scripts: inline styles are allowed for it alone.
@csp_update({"style-src": ["'self'", "'unsafe-inline'"]})
@policy.route(Role.COMMISSIONER, check=policy.can_see_equality_assessments)
def download(request: HttpRequest, name: str, kind: str) -> HttpResponse:
    return file_download(selectors.published_file(name, kind), kind, f"equality-{name}-results.csv")


@policy.route(Role.COMMISSIONER, check=policy.can_see_equality_assessments)
def chart_csv(request: HttpRequest, name: str, metric: str, characteristic: str) -> HttpResponse:
    """The figures one chart draws, as CSV (the same published, suppressed figures as its table)."""
    published = selectors.published(name)
    chart = published.chart(metric, characteristic) if published and published.document else None
    if chart is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="equality-{name}-{metric}-{characteristic}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Group", "Figure", "95% interval", "Finding"])
    for row in chart.rows:
        writer.writerow([row["group"], row["value"], row["interval"], row["finding"]])
    return response
