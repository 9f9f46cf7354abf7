"""The self-referral form at /refer/: several short steps that work without JavaScript.

Nothing is stored until she submits. The answers of earlier steps travel with the form itself, encrypted under a key
derived from the secret key and valid for two hours, so a half-finished form leaves nothing on the server, and
nothing personal is ever in a URL (every step is a POST to /refer/).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.forms import Form
from django.forms.utils import ErrorDict
from django.utils.datastructures import MultiValueDict

from carehub.referrals.forms import SELF_REFERRAL_STEPS

STATE_TTL_SECONDS = 2 * 60 * 60
STEP_NAMES = [name for name, _, _ in SELF_REFERRAL_STEPS]
CHECK_STEP = "check"


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"carehub-self-referral:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def dump_state(state: dict) -> str:
    return _fernet().encrypt(json.dumps(state).encode()).decode()


def load_state(token: str) -> dict | None:
    """The state carried by the form, or None when it is missing, tampered with or older than two hours."""
    if not token:
        return None
    try:
        return json.loads(_fernet().decrypt(token.encode(), ttl=STATE_TTL_SECONDS))
    except (InvalidToken, ValueError):
        return None


def new_state() -> dict:
    # The submission id doubles as the idempotency key: a double click or a refresh makes one referral.
    return {"submission_id": secrets.token_urlsafe(16), "answers": {}}


def form_class(step: str) -> type[Form]:
    return next(cls for name, _, cls in SELF_REFERRAL_STEPS if name == step)


def title(step: str) -> str:
    return next(t for name, t, _ in SELF_REFERRAL_STEPS if name == step)


def step_data(post: MultiValueDict, form: Form) -> dict[str, list[str]]:
    """The raw values of one step's fields, as lists, ready to bind a form again later."""
    names = set()
    for name, field in form.fields.items():
        names.add(name)
        widget = field.widget
        if hasattr(widget, "widgets_names"):
            names.update(f"{name}{suffix}" for suffix in widget.widgets_names)
    return {name: post.getlist(name) for name in names if name in post}


def bound(step: str, state: dict, *, show_errors: bool) -> Form:
    """The step's form bound to the answers kept in the state."""
    answers = state["answers"].get(step)
    if answers is None and not show_errors:
        return form_class(step)()  # first visit: unbound, so the defaults (such as "No") show as chosen
    form = form_class(step)(data=MultiValueDict(answers or {}))
    if not show_errors:
        form.full_clean()
        form._errors = ErrorDict()  # a step revisited with Back should not greet her with errors
    return form


def all_forms(state: dict) -> dict[str, Form] | None:
    """Every step's form, validated; None if any step is missing or no longer valid."""
    forms = {}
    for step in STEP_NAMES:
        form = form_class(step)(data=MultiValueDict(state["answers"].get(step, {})))
        if not form.is_valid():
            return None
        forms[step] = form
    return forms


def next_step(step: str) -> str:
    index = STEP_NAMES.index(step)
    return STEP_NAMES[index + 1] if index + 1 < len(STEP_NAMES) else CHECK_STEP


def previous_step(step: str) -> str:
    if step == CHECK_STEP:
        return STEP_NAMES[-1]
    index = STEP_NAMES.index(step)
    return STEP_NAMES[max(0, index - 1)]


def summary(forms: dict[str, Form]) -> list[dict]:
    """Her answers in words, step by step, for the check page; each section names its step for "Change"."""
    sections = []
    for step, heading, _ in SELF_REFERRAL_STEPS:
        form = forms[step]
        rows = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            rows.append({"label": str(field.label), "value": _as_words(field, value)})
        sections.append({"step": step, "heading": heading, "rows": rows})
    return sections


def change_step(action: str) -> str | None:
    """The step a "Change" button on the check page asks for ("change:contact"), or None for any other action."""
    prefix, _, step = action.partition(":")
    return step if prefix == "change" and step in STEP_NAMES else None


def after_step(step: str, state: dict) -> str:
    """Where Continue leads: back to the check page when she came from its "Change", else the next step."""
    return CHECK_STEP if state.get("changing") else next_step(step)


def before_step(step: str, state: dict) -> str:
    """Where Back leads: to the check page when she came from its "Change", else the previous step."""
    return CHECK_STEP if state.get("changing") and step != CHECK_STEP else previous_step(step)


def _as_words(field, value) -> str:
    if value in (None, "", [], False):
        return "Not answered" if not isinstance(value, bool) else "No"
    if value is True:
        return "Yes"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if hasattr(value, "strftime"):
        return value.strftime("%-d %B %Y")
    return str(choices.get(value, value))
