"""Secrets in URLs never reach a log: the one-time links (an invitation, a survivor's feedback link) are redacted.

A one-time link is a GET of /.../<token>/: the view swaps the token into the session and redirects to a token-free
address at once, but the first request line is already written by then, by the server's access log (runserver's
`django.server`, gunicorn's `gunicorn.access`) and, for a spent link answered 404, by `django.request` ("Not Found:
<path>"). A log is copied, shipped and kept far longer than a link lives, and an unused invitation link is an account
waiting to be claimed. So a filter on those loggers rewrites each record's message, replacing the token path segment
with "[redacted]" before any handler formats it.

The routes are named in settings.SECRET_URL_NAMES (route names, so core imports no higher app); each must take its
secret as a `token` argument. A segment after such a route's prefix is redacted unless it resolves to another
route (/accounts/invitation/set-password/ is not a secret): an unknown or made-up token is redacted alike.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

REDACTED = "[redacted]"
# Loggers whose records carry request paths. A filter on a logger sees only records logged on that logger itself.
LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")
_PROBE = "TOKENPROBE"


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(regex of the secret segment after the route's prefix, route name) per secret route."""
    found = []
    for name in settings.SECRET_URL_NAMES:
        try:
            probe = reverse(name, kwargs={"token": _PROBE})
        except NoReverseMatch:
            continue
        prefix = probe.split(_PROBE, 1)[0]
        found.append((re.compile(re.escape(prefix) + r"(?P<secret>[^/\s?#\"'<>]+)"), name))
    return tuple(found)


def _is_secret(prefix: str, segment: str, name: str) -> bool:
    try:
        match = resolve(f"{prefix}{segment}/")
    except Resolver404:
        return True  # fail closed: whatever it is, it is not shown
    return match.view_name == name


def redact(text: str) -> str:
    """`text` with every secret token path segment replaced by [redacted]."""
    for pattern, name in _patterns():

        def swap(match: re.Match[str], name: str = name) -> str:
            prefix = match.group(0)[: match.start("secret") - match.start(0)]
            if _is_secret(prefix, match.group("secret"), name):
                return prefix + REDACTED
            return match.group(0)

        text = pattern.sub(swap, text)
    return text


class RedactSecretPaths(logging.Filter):
    """Rewrites the message of a record that shows a secret link; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, not ours
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_FILTER = RedactSecretPaths()


def install() -> None:
    """Attach the filter to each logger that writes request paths (idempotent: called from CoreConfig.ready)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
