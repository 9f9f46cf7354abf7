"""Pages that change the directory: administrators add and change services; a service's managers change its
capacity and whether it takes referrals. Thin: the policy decides who, selectors read, services write and audit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carehub.accounts import policy
from carehub.core.choices import Role
from carehub.directory import selectors, services
from carehub.directory.forms import CapacityForm, ServiceForm


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, status=400 if context["form"].errors else 200)


@policy.route(Role.ADMINISTRATOR)
def service_list(request: HttpRequest) -> HttpResponse:
    services_ = selectors.services_for_administration(user=request.user)
    return render(request, "directory/administration/services.html", {"services": services_})


@policy.route(Role.ADMINISTRATOR)
def service_create(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_providing_services(user=request.user)
    initial = {}
    chosen = organisations.filter(slug=request.GET.get("organisation", "")).first()
    if chosen is not None:
        initial["organisation"] = chosen
    form = ServiceForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{service.name} has been added to the directory.")
            return redirect("service_administration:services")
    return _render(request, "directory/administration/service_form.html", {"form": form, "service": None})


@policy.route(Role.ADMINISTRATOR)
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_for_administration(user=request.user, pk=pk)
    if service is None:
        raise Http404
    initial = {name: getattr(service, name) for name in services.SERVICE_FIELDS}
    # A refuge's address is for its own organisation alone, administrators included: the form offers to replace it,
    # never shows it, and an empty answer keeps it.
    address_hidden = not policy.service_address_visible(request.user, service)
    if address_hidden:
        initial["address"] = ""
    form = ServiceForm(
        request.POST or None,
        organisations=selectors.organisations_providing_services(user=request.user),
        initial=initial,
        editing=True,
        address_hidden=address_hidden,
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if address_hidden and not fields["address"]:
            del fields["address"]
        try:
            services.service_update(actor=request.user, service=service, **fields)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{service.name} has been changed.")
            return redirect("service_administration:services")
    return _render(request, "directory/administration/service_form.html", {"form": form, "service": service})


@policy.route(Role.SERVICE_MANAGER, check=policy.can_manage_a_service)
def capacity(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager's own service only: any other answers 404, as a service that does not exist would."""
    service = selectors.service_managed(user=request.user, pk=pk)
    if service is None:
        raise Http404
    initial = {
        "capacity": service.capacity,
        "caseworker_fte": service.caseworker_fte,
        "accepting_referrals": service.accepting_referrals,
    }
    form = CapacityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_capacity_update(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{service.name}: capacity, caseworkers and referrals updated.")
            return redirect("home")
    return _render(request, "directory/capacity.html", {"form": form, "service": service})
