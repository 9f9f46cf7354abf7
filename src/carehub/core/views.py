"""Pages that belong to no single domain: the public start page and each role's signed-in home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static

from carehub.accounts import policy
from carehub.core import homes
from carehub.core.choices import Role


@policy.route(public=True)
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "core/start.html")


@policy.route(public=True)
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: says nothing about the data."""
    return JsonResponse({"status": "ok"})


@policy.route(*Role.values)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"panels": homes.panels_for(request.user)})


@policy.route(public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; answer with the real icon rather than a 404."""
    return HttpResponsePermanentRedirect(static("carehub/favicon.svg"))
