"""RFC 9457 problem details, the one error format of the JSON API."""

from __future__ import annotations

import json

from django.http import HttpResponse


def problem(status: int, title: str, detail: str = "", **extra) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")
