"""The one way a view calls a service that may refuse: `attempt`.

A refusal (core.services.ServiceError) is never an error page: it goes on the form, against the field it names when
the form has that field, or back to the page as one message. Views then only decide where to go on success.
`attempt_form` is the same for the usual form page: act only on a valid post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django import forms
from django.http import HttpRequest

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


def attempt_form(
    request: HttpRequest, form: forms.Form, action: Callable[[dict], T], *, errors_on_form: bool = False
) -> Attempt[T]:
    """On a valid post, `attempt` the service with the form's cleaned data; on a GET or a form with errors nothing is
    called, and the answer is neither done nor refused (`ok` False, `error` ""): the page shows the form again.
    With `errors_on_form` a refusal no field took goes on the form as a non-field error too (`error` stays ""), for
    pages whose template shows only the form's own errors."""
    if request.method != "POST" or not form.is_valid():
        return Attempt(ok=False)
    done = attempt(lambda: action(form.cleaned_data), form=form)
    if errors_on_form and done.error:
        form.add_error(None, done.error)
        return Attempt(ok=False)
    return done
