"""A refusal must not look like success: error messages show as a GOV.UK error summary, successes as "Done"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory


def rendered_with(*added: tuple[int, str]) -> str:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    for level, text in added:
        messages.add_message(request, level, text)
    return render_to_string("base.html", request=request)


def test_an_error_is_a_problem_not_done():
    html = rendered_with((messages.ERROR, "That decision was refused."))
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert "That decision was refused." in html
    assert "Done" not in html and "govuk-notification-banner--success" not in html


def test_a_success_is_done():
    html = rendered_with((messages.SUCCESS, "Triage saved."))
    assert "govuk-notification-banner--success" in html and "Done" in html
    assert "There is a problem" not in html
