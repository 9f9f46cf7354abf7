"""Conventions every app's services share: one refusal type, and one optimistic version check.

A service refuses with `ServiceError(message, field=...)`: a sentence a person understands, and the form field it
concerns ("" for the whole request). Each app names its own subclass (ReferralError, CaseError, ...) so a caller
can tell them apart, but views catch `ServiceError` through core.actions.attempt, one way for every page.

`ConcurrentChange` is the refusal when someone else changed the record since the form was read: `version_bump`
applies an update only to the version the user saw, so two people working on one record never overwrite each other.
An app's own ConcurrentChange is both (class ConcurrentChange(CaseError, services.ConcurrentChange)).
"""

from __future__ import annotations

from django.db.models import F, Model


class ServiceError(Exception):
    """A request a service cannot carry out, with a message a person understands and the field it concerns."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConcurrentChange(ServiceError):
    """Someone else changed the record first; nothing was saved."""


def version_bump(
    record: Model, expected_version: int, *, noun: str, conflict: type[ConcurrentChange] = ConcurrentChange, **changes
) -> None:
    """Apply `changes` to `record`, and a new version, only if nobody has changed it since `expected_version` was
    read; then reload it. `noun` names the record in the refusal ("referral", "case"); `conflict` is the app's
    ConcurrentChange, so callers catching the app's error catch this one too."""
    updated = (
        type(record).objects.filter(pk=record.pk, version=expected_version).update(version=F("version") + 1, **changes)
    )
    if not updated:
        raise conflict(
            f"Someone else changed this {noun} while you were working on it. Nothing you entered has been saved: "
            f"check the {noun} as it is now and try again."
        )
    record.refresh_from_db()
