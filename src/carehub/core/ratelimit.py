"""Fixed-window rate limits on Django's cache: per organisation for the API, per client address for failed API
requests and for public forms (the address is core.addresses.client_address, the one that sees through our proxy).

With the default local-memory cache each server process counts alone; set CAREHUB_REDIS_URL to share the count.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from carehub.core.addresses import client_address
from carehub.core.problems import problem


def now() -> float:
    """The clock the windows are cut from; tests stop it so that no count straddles a window's end."""
    return time.time()


def _cache_key(key: str, window_seconds: int) -> str:
    return f"rate:{key}:{window_seconds}:{int(now() // window_seconds)}"


def count(key: str, *, window_seconds: int = 60) -> int:
    """How many times `key` was counted in the current window, without counting this look."""
    return cache.get(_cache_key(key, window_seconds), 0)


def hit(key: str, *, window_seconds: int = 60) -> int:
    """Count one more for `key` in the current window; the new count."""
    cache_key = _cache_key(key, window_seconds)
    cache.add(cache_key, 0, timeout=window_seconds * 2)
    try:
        return cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window_seconds * 2)
        return 1


def too_many(limit: int, *, window_seconds: int = 60, what: str = "requests") -> HttpResponse:
    """The 429 problem response, with Retry-After saying when the window ends."""
    retry_after = window_seconds - int(now()) % window_seconds
    per = "a minute" if window_seconds == 60 else f"every {window_seconds} seconds"
    response = problem(429, "Too many requests", f"The limit is {limit} {what} {per}. Try again shortly.")
    response["Retry-After"] = str(retry_after)
    return response


def check_rate(key: str, *, limit: int | None = None, window_seconds: int = 60) -> HttpResponse | None:
    """Count this request: None while under the limit; a 429 problem response once over it."""
    limit = limit if limit is not None else settings.API_RATE_LIMIT_PER_MINUTE
    if hit(key, window_seconds=window_seconds) <= limit:
        return None
    return too_many(limit, window_seconds=window_seconds)


class RateLimited(Exception):
    """Raised where a limit is found exceeded deep inside a request; the API answers with `response`."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("rate limited")
        self.response = response


def enforce_organisation_rate(organisation_pk: int) -> None:
    """Every authenticated API call, read or write, counts towards its organisation's limit."""
    limited = check_rate(f"api:{organisation_pk}")
    if limited:
        raise RateLimited(limited)


class ApiFailureLimitMiddleware:
    """Per client address, count API requests that fail (a wrong key's 401, a 404, a 422...) and refuse that
    address once it has failed too often in a minute.

    Successful calls are limited per organisation instead (enforce_organisation_rate): an agency's systems may share
    one address with many others, and its good calls must not be held up by someone else's bad ones.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        key = f"api-failures:{client_address(request)}"
        limit = settings.API_FAILURES_PER_MINUTE
        if count(key) >= limit:
            return too_many(limit, what="failed requests")
        response = self.get_response(request)
        if response.status_code >= 400 and response.status_code != 429:
            hit(key)
        return response
