"""The auditor's view of the trail. It shows who did what to which record, never the record's content."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from carehub.accounts import policy
from carehub.accounts.models import Role
from carehub.audit import selectors
from carehub.audit.forms import AuditSearchForm
from carehub.audit.models import AuditEvent


@policy.route(Role.AUDITOR, check=policy.can_audit)
def events(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Never fall back to the whole trail: an auditor would take it for the answer to the search she typed.
        found = AuditEvent.objects.none()
    else:
        found = selectors.search(user=request.user, **(form.cleaned_data if form.is_bound else {}))
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"form": form, "page": page})


@policy.route(Role.AUDITOR, check=policy.can_audit)
def survivor_access(request: HttpRequest, survivor_id: int) -> HttpResponse:
    """Everyone who has read or changed one survivor's records, newest first."""
    found = selectors.survivor_access(user=request.user, survivor_id=survivor_id)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "audit/survivor_access.html", {"survivor_id": survivor_id, "page": page})
