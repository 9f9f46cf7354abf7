"""A fixed-window rate limit on Django's cache: per organisation for the API, per address for public forms.

With the default local-memory cache each server process counts alone; set CAREHUB_REDIS_URL to share the count.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from carehub.core.problems import problem


def check_rate(key: str, *, limit: int | None = None, window_seconds: int = 60) -> HttpResponse | None:
    """None while under the limit; a 429 problem response once over it."""
    limit = limit if limit is not None else settings.API_RATE_LIMIT_PER_MINUTE
    window = int(time.time() // window_seconds)
    cache_key = f"rate:{key}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window_seconds * 2)
        count = 1
    if count <= limit:
        return None
    retry_after = window_seconds - int(time.time()) % window_seconds
    response = problem(429, "Too many requests", f"The limit is {limit} requests a minute. Try again shortly.")
    response["Retry-After"] = str(retry_after)
    return response
