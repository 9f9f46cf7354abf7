"""The one way a view calls a service that may refuse: `attempt`.

A refusal (core.services.ServiceError) is never an error page: it goes on the form, against the field it names when
the form has that field, or back to the page as one message. Views then only decide where to go on success.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms

from carehub.core.services import ServiceError

T = TypeVar("T")


@dataclass
class Attempt(Generic[T]):
    """What became of a service call: `ok` and its `value`, or the refusal's message when no field took it."""

    ok: bool
    value: T | None = None
    error: str = ""


def attempt(action: Callable[[], T], *, form: forms.Form | None = None) -> Attempt[T]:
    """Call `action`; a ServiceError naming one of `form`'s fields is added to that field (error stays ""),
    any other refusal comes back as `error` for the page to show."""
    try:
        return Attempt(ok=True, value=action())
    except ServiceError as exc:
        if form is not None and exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return Attempt(ok=False)
        return Attempt(ok=False, error=exc.message)
