"""RFC 9457 problem details, the one error format of the JSON API, and how the OpenAPI document describes them."""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_JSON = "application/problem+json"

# The shape of every error body, as the OpenAPI document gives it (components/schemas/Problem).
PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details. 'errors' names each bad field; submitted values are never echoed.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

# Why each error can happen, in the words the OpenAPI document shows an agency's developer.
_WHY = {
    400: "The body is not valid JSON.",
    401: "No API key, or one that is unknown or revoked.",
    404: "No such record, or not one your organisation can see (the two answer alike).",
    409: "The Idempotency-Key was used before with a different body.",
    413: "The body is too large.",
    415: "The body is not declared as JSON (Content-Type: application/json).",
    422: "A field is missing, unknown, given twice or not valid; 'errors' names each one.",
    429: "Too many requests: wait for the seconds in Retry-After.",
    500: "Something went wrong on our side; nothing was saved.",
}


def problem(status: int, title: str, detail: str = "", **extra) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)


def openapi_responses(*statuses: int) -> dict[int, dict]:
    """OpenAPI `responses` entries for the errors an operation can give, each a problem+json body."""
    return {
        status: {
            "description": _WHY.get(status, HTTPStatus(status).phrase),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
