"""The commissioners' page for demand, waits and unmet need. Thin: the selectors read, the template renders."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.accounts.models import Role
from carehub.commissioning import selectors


@policy.route(Role.COMMISSIONER, check=policy.can_see_commissioning_evidence)
def index(request: HttpRequest) -> HttpResponse:
    document = selectors.published()
    context = {"document": document, "charts": selectors.charts(document) if document else []}
    return render(request, "commissioning/index.html", context)


# The report is one self-contained file with its styles inline and no scripts: inline styles are allowed for it alone.
@csp_update({"style-src": ["'self'", "'unsafe-inline'"]})
@policy.route(Role.COMMISSIONER, check=policy.can_see_commissioning_evidence)
def download(request: HttpRequest, kind: str) -> HttpResponse:
    found = selectors.published_file(kind)
    if found is None:
        raise Http404
    path, content_type = found
    response = FileResponse(path.open("rb"), content_type=content_type)
    if kind == "csv":
        response["Content-Disposition"] = 'attachment; filename="commissioning-results.csv"'
    return response
