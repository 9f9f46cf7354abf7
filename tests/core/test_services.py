"""Shared service conventions: one refusal type, one version check, one way for a view to call a service."""

from __future__ import annotations

import pytest
from django import forms

from carehub.accounts.breakglass import BreakGlassRefused
from carehub.cases import services as case_services
from carehub.core import services
from carehub.core.actions import attempt
from carehub.independent.services import IndependentError
from carehub.referrals import services as referral_services
from carehub.repeats.services import RepeatError


class NoteForm(forms.Form):
    note = forms.CharField()


def refuse(message: str, field: str = ""):
    def action():
        raise referral_services.ReferralError(message, field=field)

    return action


@pytest.mark.parametrize(
    "error",
    [referral_services.ReferralError, case_services.CaseError, IndependentError, RepeatError, BreakGlassRefused],
)
def test_every_apps_refusal_is_a_service_error_with_message_and_field(error):
    refusal = error("Not like that.", field="note")
    assert isinstance(refusal, services.ServiceError)
    assert (refusal.message, refusal.field, str(refusal)) == ("Not like that.", "note", "Not like that.")


def test_an_apps_concurrent_change_is_caught_as_the_apps_error_and_as_the_shared_one():
    for app_error, conflict in [
        (case_services.CaseError, case_services.ConcurrentChange),
        (referral_services.ReferralError, referral_services.ConcurrentChange),
    ]:
        assert issubclass(conflict, app_error) and issubclass(conflict, services.ConcurrentChange)


def test_the_version_bump_refuses_a_stale_version_and_changes_nothing(world):
    case = world.cases["solace"]
    services.version_bump(case, case.version, noun="case", conflict=case_services.ConcurrentChange)
    assert case.version == 2  # reloaded
    with pytest.raises(case_services.ConcurrentChange, match="Someone else changed this case"):
        services.version_bump(case, 1, noun="case", conflict=case_services.ConcurrentChange, status="closed")
    case.refresh_from_db()
    assert (case.version, case.status) == (2, "open")


def test_attempt_puts_a_refusal_on_the_field_it_names_or_returns_it_for_the_page():
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    assert attempt(lambda: 42, form=form).value == 42
    on_field = attempt(refuse("Say more.", field="note"), form=form)
    assert (on_field.ok, on_field.error, form.errors["note"]) == (False, "", ["Say more."])
    for_page = attempt(refuse("Nothing was saved.", field="elsewhere"), form=form)
    assert (for_page.ok, for_page.error) == (False, "Nothing was saved.")
    assert attempt(refuse("No form.")).error == "No form."
