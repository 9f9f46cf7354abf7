"""Refuse oversized API bodies before anything reads them."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from carehub.core.problems import problem


class ApiBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
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
