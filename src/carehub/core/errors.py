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


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale or missing form token (often a form left open past the idle timeout): go back and try again.

    Django's own page explains CSRF to a survivor who only wanted to send a form; the reason is not for her.
    """
    return _page(request, "400.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request and no context: whatever failed may have been carrying personal data.
    return HttpResponse(render_to_string("500.html"), status=500)
