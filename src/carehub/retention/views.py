"""The legal holds page: hub managers hold the hub's survivors, the independent service's managers the sealed
pathway's (accounts.policy decides). Thin: parse, ask the policy and the service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carehub.accounts import policy
from carehub.core.actions import attempt
from carehub.core.choices import Role
from carehub.retention import forms, selectors, services

NOT_FOUND = "No referral you can place a hold on has that reference. Check it and try again."


@policy.route(Role.SERVICE_MANAGER, check=policy.can_manage_legal_holds)
def holds(request: HttpRequest) -> HttpResponse:
    form = forms.HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survivor = policy.survivor_for_legal_hold(request.user, form.cleaned_data["reference"])
        if survivor is None:
            form.add_error("reference", NOT_FOUND)
        else:
            result = attempt(
                lambda: services.legal_hold_place(
                    actor=request.user, survivor=survivor, reason=form.cleaned_data["reason"]
                ),
                form=form,
            )
            if result.ok:
                messages.success(request, "Legal hold placed: retention and erasure will leave her records alone.")
                return redirect("retention:holds")
            if result.error:
                form.add_error(None, result.error)
    context = {"form": form, "holds": list(selectors.holds_for(request.user)), "lift_form": forms.LiftForm()}
    return render(request, "retention/holds.html", context, status=400 if form.errors else 200)


@policy.route(Role.SERVICE_MANAGER, check=policy.can_manage_legal_holds)
def lift(request: HttpRequest, public_id: str) -> HttpResponse:
    hold = selectors.hold_for(request.user, public_id)
    if hold is None or not hold.is_active:
        raise Http404
    form = forms.LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = attempt(
            lambda: services.legal_hold_lift(actor=request.user, hold=hold, reason=form.cleaned_data["reason"]),
            form=form,
        )
        if result.ok:
            messages.success(request, "Legal hold lifted.")
            return redirect("retention:holds")
        if result.error:
            form.add_error(None, result.error)
    return render(request, "retention/lift.html", {"hold": hold, "form": form}, status=400 if form.errors else 200)
