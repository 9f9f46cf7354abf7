"""Error pages that say nothing about what was asked for: no path, no record, no exception text."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return HttpResponse(render_to_string(template, request=request), status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # 403 is served by this page too: "not yours" must look exactly like "does not exist".
    return _page(request, "404.html", 404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "400.html", 400)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_to_string("500.html"), status=500)
