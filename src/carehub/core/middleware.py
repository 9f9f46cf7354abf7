"""Input refused at the edge, before any view reads it.

Two middlewares: `ApiBodyLimitMiddleware` comes early and refuses oversized API bodies before anything reads them;
`RequestEdgeMiddleware` comes last, so its answers pass through the whole stack (security headers, CSP, no-store).
It refuses a NUL character in the path, the query string or a form field: PostgreSQL cannot store one, so it would
otherwise be a server error deep inside a view. Pages answer Care Hub's 400 page; the API answers 422 problem+json
naming the field. (A JSON body is read strictly by the API itself, which can tell 415 from 405: see `carehub.api`.)

It also makes every error the API gives `application/problem+json`, including the routing answers that Django and
django-ninja give in their own formats (404 for an unknown API path, 405 for a wrong method).
"""

from __future__ import annotations

from collections.abc import Iterable
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from carehub.core import errors, jsonbody
from carehub.core.problems import PROBLEM_JSON, problem

NUL = jsonbody.NUL
API_PREFIX = "/api/"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
NUL_MESSAGE = "must not contain a NUL character"
# Headers a rewritten API error keeps: they tell the client what to do next.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ApiBodyLimitMiddleware:
    """Oversized API bodies answer 413 from their declared length, before anything reads them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                return problem(
                    413,
                    "The request is too large",
                    f"A referral must be under {settings.API_MAX_BODY_BYTES // 1024} KB. Nothing was saved.",
                )
        return self.get_response(request)


class RequestEdgeMiddleware:
    """NUL characters refused on every page and API path; API errors made problem+json (see the module's text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith(API_PREFIX)
        refused = self._refuse_api_input(request) if is_api else self._refuse_page_input(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        return as_problem(response) if is_api else response

    # --- pages --------------------------------------------------------------------------------------------------

    def _refuse_page_input(self, request: HttpRequest) -> HttpResponse | None:
        if NUL in request.path or _nul_fields(request.GET.lists()):
            return errors.bad_request(request)
        if request.method in BODY_METHODS and _nul_fields(request.POST.lists()):
            return errors.bad_request(request)
        return None

    # --- the API ------------------------------------------------------------------------------------------------

    def _refuse_api_input(self, request: HttpRequest) -> HttpResponse | None:
        nul = (["path"] if NUL in request.path else []) + _nul_fields(request.GET.lists())
        if nul:
            return problem(
                422,
                "The request has errors",
                "Correct the fields listed in 'errors' and send it again.",
                errors=[{"field": field, "message": NUL_MESSAGE} for field in nul],
            )
        return None


def _nul_fields(pairs: Iterable[tuple[str, list[str]]]) -> list[str]:
    """The names of the fields whose name or any value holds a NUL character (the name itself without it)."""
    return [name.replace(NUL, "") or "query" for name, values in pairs if NUL in name or any(NUL in v for v in values)]


def as_problem(response: HttpResponse) -> HttpResponse:
    """An API error that is not yet problem+json (Django's 404 page, django-ninja's plain 405) made into one.

    The original body is dropped: Django's pages are for people, and its debug 404 lists every URL pattern.
    """
    if response.status_code < 400 or response.get("Content-Type", "").startswith(PROBLEM_JSON):
        return response
    try:
        title = HTTPStatus(response.status_code).phrase
    except ValueError:
        title = "Request refused"
    rewritten = problem(response.status_code, title)
    for header in KEPT_HEADERS:
        if header in response:
            rewritten[header] = response[header]
    return rewritten
