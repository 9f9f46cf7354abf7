"""The commissioners' page for the support-duration analysis. Thin: the selectors read, the template renders."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.core.choices import Role
from carehub.core.published import file_download
from carehub.duration import selectors


@policy.route(Role.COMMISSIONER, check=policy.can_see_duration_analysis)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "duration/index.html", {"document": selectors.published()})


# The report is one self-contained file with its styles inline and no scripts: inline styles are allowed for it alone.
@csp_update({"style-src": ["'self'", "'unsafe-inline'"]})
@policy.route(Role.COMMISSIONER, check=policy.can_see_duration_analysis)
def download(request: HttpRequest, kind: str) -> HttpResponse:
    return file_download(selectors.published_file(kind), kind, "duration-results.csv")
