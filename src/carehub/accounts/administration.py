"""The administrator's pages: organisations, users and their memberships, API keys, break-glass. Never case content.

Thin views: the policy decides who reaches them (administrators only), selectors read, services write and audit.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from carehub.accounts import apikeys, policy, selectors, services
from carehub.accounts.breakglass import BreakGlassRefused, break_glass_open
from carehub.accounts.forms import ApiKeyForm, InviteForm, MembershipForm, OrganisationForm, RoleForm
from carehub.core.choices import Role

administrators_only = policy.route(Role.ADMINISTRATOR)


def _found(obj):
    if obj is None:
        raise Http404
    return obj


def _changeable(request: HttpRequest, user):
    """The user, if the administrator may change her (not herself: policy.may_change_user); 404 otherwise."""
    if not policy.may_change_user(request.user, user):
        raise Http404
    return user


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: on its fields where it names them, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, status=400 if context["form"].errors else 200)


# --- organisations -------------------------------------------------------------------------------------------------


@administrators_only
def organisations(request: HttpRequest) -> HttpResponse:
    orgs = selectors.organisation_list(user=request.user)
    return render(request, "accounts/administration/organisations.html", {"organisations": orgs})


@administrators_only
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org = _found(selectors.organisation_by_slug(user=request.user, slug=slug))
    return render(request, "accounts/administration/organisation.html", {"organisation": org})


@administrators_only
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{org.name} has been added.")
            return redirect("administration:organisation", slug=org.slug)
    return _form_page(request, "accounts/administration/organisation_form.html", {"form": form, "organisation": None})


@administrators_only
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    org = _found(selectors.organisation_by_slug(user=request.user, slug=slug))
    initial = {"name": org.name, "kind": org.kind, "led_by_and_for": org.led_by_and_for}
    form = OrganisationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{org.name} has been changed.")
            return redirect("administration:organisation", slug=org.slug)
    return _form_page(request, "accounts/administration/organisation_form.html", {"form": form, "organisation": org})


# --- users and memberships -----------------------------------------------------------------------------------------


@administrators_only
def users(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/administration/users.html", {"users": selectors.user_list(user=request.user)})


@administrators_only
def user_invite(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisation_list(user=request.user).order_by("name")
    form = InviteForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            user, _ = services.user_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"An invitation has been sent to {user.username}.")
            return redirect("administration:user", pk=user.pk)
    return _form_page(request, "accounts/administration/user_invite.html", {"form": form})


def _user_page(request: HttpRequest, user, membership_form: MembershipForm, status: int = 200) -> HttpResponse:
    context = {
        "person": user,
        "has_second_factor": selectors.has_second_factor(user),
        "membership_form": membership_form,
        "role_choices": Role.choices,
        "changeable": policy.may_change_user(request.user, user),
    }
    return render(request, "accounts/administration/user.html", context, status=status)


def _organisations_for_form(request: HttpRequest):
    return selectors.organisation_list(user=request.user).order_by("name")


@administrators_only
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _found(selectors.user_by_id(user=request.user, pk=pk))
    return _user_page(request, user, MembershipForm(organisations=_organisations_for_form(request)))


@require_POST
@administrators_only
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _changeable(request, _found(selectors.user_by_id(user=request.user, pk=pk)))
    form = MembershipForm(request.POST, organisations=_organisations_for_form(request))
    if form.is_valid():
        try:
            membership = services.membership_add(actor=request.user, user=user, **form.cleaned_data)
        except ValidationError:
            form.add_error("role", "They already have this role in this organisation.")
        else:
            if membership.awaiting_confirmation:
                messages.success(
                    request, f"The new role of {user.username} awaits a manager of {membership.organisation}."
                )
            else:
                messages.success(request, f"{user.username} has a new role.")
            return redirect("administration:user", pk=user.pk)
    return _user_page(request, user, form, status=400)


@require_POST
@administrators_only
def membership_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend or restore a membership: the quickest way to cut off a member who may be a risk."""
    membership = _found(selectors.membership_by_id(user=request.user, pk=pk))
    _changeable(request, membership.user)
    # A pending role's button withdraws the request (it is inactive already, and restoring is not the admin's alone).
    active = False if membership.awaiting_confirmation else not membership.is_active
    services.membership_set_active(actor=request.user, membership=membership, active=active)
    if request.POST.get("back") == "user":
        return redirect("administration:user", pk=membership.user_id)
    return redirect("administration:organisation", slug=membership.organisation.slug)


@require_POST
@administrators_only
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _found(selectors.membership_by_id(user=request.user, pk=pk))
    _changeable(request, membership.user)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_role_change(actor=request.user, membership=membership, role=form.cleaned_data["role"])
        except ValidationError:
            messages.error(request, "They already have that role in this organisation.")
        else:
            messages.success(request, f"The role of {membership.user.username} has been changed.")
    return redirect("administration:user", pk=membership.user_id)


@require_POST
@administrators_only
def second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = _changeable(request, _found(selectors.user_by_id(user=request.user, pk=pk)))
    services.second_factor_reset(actor=request.user, user=user)
    messages.success(request, f"{user.username} will set up a new authenticator app at their next sign-in.")
    return redirect("administration:user", pk=user.pk)


@require_POST
@administrators_only
def invitation_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = _changeable(request, _found(selectors.user_by_id(user=request.user, pk=pk)))
    try:
        services.invitation_send(actor=request.user, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation has been sent to {user.username}. Earlier links no longer work.")
    return redirect("administration:user", pk=user.pk)


# --- API keys ------------------------------------------------------------------------------------------------------


@administrators_only
def api_keys(request: HttpRequest) -> HttpResponse:
    """The keys, most recently used first, and a form for a new one. The new key is shown on this response alone."""
    form = ApiKeyForm(request.POST or None, organisations=_organisations_for_form(request))
    created = None
    if request.method == "POST" and form.is_valid():
        key, secret = apikeys.apikey_create(actor=request.user, **form.cleaned_data)
        created = {"key": key, "secret": secret}
        form = ApiKeyForm(organisations=_organisations_for_form(request))
    context = {"form": form, "keys": selectors.api_key_list(user=request.user), "created": created}
    return _form_page(request, "accounts/administration/api_keys.html", context)


@require_POST
@administrators_only
def api_key_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    key = _found(selectors.api_key_by_prefix(user=request.user, prefix=prefix))
    apikeys.apikey_revoke(actor=request.user, key=key)
    messages.success(request, f"The key {key.prefix} has been revoked. It no longer works.")
    return redirect("administration:api_keys")


# --- break-glass ---------------------------------------------------------------------------------------------------


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label="Referral reference", max_length=20, help_text="For example, CH-BCDF-2345")
    reason = forms.CharField(
        label="Why do you need to open this record?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="This is recorded in the audit trail and shown to the service that holds the record.",
    )


@administrators_only
def break_glass(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = break_glass_open(actor=request.user, **form.cleaned_data)
        except BreakGlassRefused as exc:
            form.add_error(exc.field or None, exc.message)
        else:
            return redirect("referrals:detail", reference=grant.referral.reference)
    status = 400 if form.errors else 200
    return render(request, "accounts/administration/break_glass.html", {"form": form}, status=status)
