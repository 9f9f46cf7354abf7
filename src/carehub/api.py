"""The JSON API for agency systems, at /api/v1/.

Deny by default: every operation needs an organisation's API key unless it is marked public, and every error is
`application/problem+json` (RFC 9457) that names the bad fields without echoing their values. The OpenAPI document
lists each error an operation can give. Bodies are read strictly here (`StrictJsonParser`: declared as JSON, no key
given twice, no NUL character) and by the schemas (no unknown field anywhere); `core.middleware.RequestEdgeMiddleware`
refuses NUL characters in paths and query strings, and turns unknown paths (404) and wrong methods (405) under
/api/ into problem+json too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer

from carehub.accounts.apikeys import organisation_for_key
from carehub.core import jsonbody
from carehub.core.jsonbody import NO_NUL_PATTERN
from carehub.core.problems import PROBLEM_SCHEMA, problem
from carehub.core.ratelimit import RateLimited, enforce_organisation_rate

if TYPE_CHECKING:
    from carehub.accounts.models import Organisation

logger = logging.getLogger(__name__)


class OrganisationKey(HttpBearer):
    """`Authorization: Bearer chk_...`: the request acts for the key's organisation."""

    def authenticate(self, request: HttpRequest, token: str) -> Organisation | None:
        organisation = organisation_for_key(token)
        if organisation is not None:
            enforce_organisation_rate(organisation.pk)  # every call counts, reads as well as writes
        return organisation


class NotJson(ValueError):
    """The body is not declared as JSON."""


class StrictJsonParser(Parser):
    """A body declared as JSON, with no key given twice and no NUL character.

    Python keeps the last of two equal keys, so `"perpetrator_police"` given twice would be read quietly as whichever
    came last. django-ninja calls this only for an operation that takes a body, after routing (405) and the API key
    (401), and re-raises what it raises as a 400 `HttpError` caused by it; `_http_error` answers by the cause.
    """

    def parse_body(self, request: HttpRequest) -> object:
        if not _declared_json(request.content_type):
            raise NotJson
        return jsonbody.loads_strict(request.body)


def _declared_json(content_type: str | None) -> bool:
    kind = (content_type or "").lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class CareHubAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs) -> OpenAPISchema:
        """The document with the Problem schema that every operation's error responses refer to."""
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        return schema


api = CareHubAPI(
    title="Care Hub API",
    version="1",
    description="Referrals from agency systems to the London Victim Care Hub.",
    auth=OrganisationKey(),
    urls_namespace="api",
    docs_url=None,
    parser=StrictJsonParser(),
)


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field Care Hub knows",
    "string_too_long": "is too long (at most {max_length} characters)",
    "string_too_short": "is too short (at least {min_length} characters)",
    "too_long": "has too many items (at most {max_length})",
    "enum": "is not one of the allowed values: {expected}",
    "date_from_datetime_parsing": "must be a real date written as YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date written as YYYY-MM-DD, without a time",
    "date_parsing": "must be a real date written as YYYY-MM-DD",
    "date_type": "must be a date written as YYYY-MM-DD",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "json_invalid": "the body is not valid JSON",
}


def _field_name(location: tuple | list) -> str:
    parts = [str(p) for p in location]
    if parts[:1] == ["body"]:
        parts = parts[2:]  # ("body", "payload", ...): the parameter's name says nothing to the caller
    elif parts[:1] in (["header"], ["query"], ["path"]):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    """Plain words for a validation error, never quoting what was sent: it may be personal data."""
    kind = error.get("type", "")
    context = error.get("ctx", {})
    if kind == "value_error":  # Care Hub's own validators, worded never to quote the input
        return str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    if kind == "string_too_short" and context.get("min_length") == 1:
        return "is required"  # blank, or only spaces (text is stripped first)
    if kind == "string_pattern_mismatch":
        return "must not contain a NUL character" if context.get("pattern") == NO_NUL_PATTERN else "is not valid"
    template = _MESSAGES.get(kind)
    if template is None:
        # pydantic's own words ("Input should be ..."): passed on unless they quote what was sent.
        message, sent = str(error.get("msg", "is not valid")), error.get("input")
        quoted = isinstance(sent, str | int | float) and len(str(sent)) > 3 and str(sent) in message
        return "is not valid" if quoted else message
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split(" (")[0].split(":")[0]


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # The submitted values are never echoed back: they may be personal data.
    return _unprocessable([{"field": _field_name(e.get("loc", [])), "message": _message(e)} for e in exc.errors])


def _unprocessable(errors: list[dict]) -> HttpResponse:
    return problem(
        422, "The request has errors", "Correct the fields listed in 'errors' and send it again.", errors=errors
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(401, "Not authenticated", "Send a valid API key as 'Authorization: Bearer <key>'.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, "Not found", "There is no such record, or it is not one your organisation can see.")


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return exc.response


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem(413, "The request is too large", "Nothing was saved.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, NotJson):
        return problem(
            415,
            "The body must be JSON",
            "Send the body as JSON, with the header 'Content-Type: application/json'. Nothing was saved.",
        )
    if isinstance(cause, jsonbody.BodyProblems):
        return _unprocessable([p.as_error() for p in cause.problems])
    if isinstance(cause, jsonbody.InvalidJson):
        return problem(400, "The body is not valid JSON", "Nothing was saved.")
    return problem(exc.status_code, str(exc) or "Request refused")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged by type only: exception text can carry personal data from the request.
    logger.error("API error %s on %s %s", type(exc).__name__, request.method, request.resolver_match.route)
    return problem(500, "Something went wrong", "Nothing was saved. Try again later.")


api.add_router("/referrals", "carehub.referrals.api.router")
