from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.core.choices import Role
from carehub.directory import selectors


@policy.route(*Role.values)
def service_list(request: HttpRequest) -> HttpResponse:
    services = selectors.service_list(user=request.user, service_type=request.GET.get("type", ""))
    return render(request, "directory/service_list.html", {"services": services})


@policy.route(*Role.values)
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = policy.services_visible_to(request.user).filter(pk=pk).first()
    if service is None:
        raise Http404
    context = {
        "service": service,
        "address_visible": policy.service_address_visible(request.user, service),
        "contracts": service.contracts.all(),
    }
    return render(request, "directory/service_detail.html", context)
