"""The directory as routing reads it, kept in each process's memory between referrals.

Routing a referral weighs every service in London; reading 1,000 services and counting their open cases on each
request costs tens of milliseconds, while the directory changes a few times a day and the counts only move the
capacity part of a score. So each process keeps the last read, tagged with a version held in the shared cache. A
change to a service, an organisation or a case sets a new version (at once, and again when its transaction commits,
so a read racing the commit cannot keep the old rows under the new version), and the next routing reads afresh. A
bulk `.update()` sends no signal, and a per-process cache (LocMemCache, no Redis) does not share versions across
processes, so each read also expires after a short age (settings ROUTING_DIRECTORY_MAX_AGE and
ROUTING_OPEN_CASES_MAX_AGE, seconds).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from carehub.referrals import routing

DIRECTORY = "carehub:routing:directory-version"
OPEN_CASES = "carehub:routing:open-cases-version"


@dataclass
class _Kept:
    version: str | None
    read_at: float
    value: Any


_kept: dict[str, _Kept] = {}
# The two reads combined, for as long as neither changes: (services, counts, facts with counts).
_merged: tuple[list, dict, list] | None = None


def _current(key: str, read: Callable[[], Any], max_age: float) -> Any:
    version = cache.get(key)
    kept = _kept.get(key)
    now = time.monotonic()
    if kept is None or kept.version != version or now - kept.read_at > max_age:
        kept = _Kept(version, now, read())
        _kept[key] = kept
    return kept.value


def routing_services() -> list[routing.ServiceFacts]:
    """Every service's facts with its open case count, as `routing.load_services()` would read them."""
    services = _current(DIRECTORY, routing.read_directory, settings.ROUTING_DIRECTORY_MAX_AGE)
    counts = _current(OPEN_CASES, routing.open_case_counts, settings.ROUTING_OPEN_CASES_MAX_AGE)
    global _merged
    if _merged is None or _merged[0] is not services or _merged[1] is not counts:
        merged = [replace(s, open_cases=counts[s.id]) if s.id in counts else s for s in services]
        _merged = (services, counts, merged)
    return list(_merged[2])  # a copy: the caller may reorder it, never the facts (they are frozen)


def changed(key: str) -> None:
    """A new version for `key`, now and again on commit."""

    def bump() -> None:
        cache.set(key, uuid.uuid4().hex, None)

    bump()
    transaction.on_commit(bump)


def forget() -> None:
    """Drop what this process keeps (tests, whose rolled-back rows never send a signal)."""
    global _merged
    _kept.clear()
    _merged = None


def _directory_changed(**kwargs) -> None:
    changed(DIRECTORY)


def open_cases_changed(**kwargs) -> None:
    """A case was saved or deleted: connected by cases' ready() (cases sits above referrals, see .importlinter)."""
    changed(OPEN_CASES)


def connect_signals() -> None:
    """Called from the app's ready(): what changes the directory version (cases connects open_cases_changed)."""
    from carehub.accounts.models import Organisation
    from carehub.directory.models import Service

    for model in (Service, Organisation):
        post_save.connect(_directory_changed, sender=model, dispatch_uid=f"routing-directory-save-{model.__name__}")
        post_delete.connect(_directory_changed, sender=model, dispatch_uid=f"routing-directory-del-{model.__name__}")
