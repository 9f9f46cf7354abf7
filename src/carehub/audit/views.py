"""The auditor's view of the trail. It shows who did what to which record, never the record's content.

Two chains, two sets of pages with the same shape: the hub's (`/audit/`) and the sealed pathway's (`/audit/sealed/`),
the latter for the independent service's own auditor alone. No page of the hub's chain shows anything that changes
when a sealed event is written: not a number, a count, a gap or a survivor.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from carehub.accounts import policy
from carehub.audit import selectors
from carehub.audit.forms import AuditSearchForm
from carehub.core import public_ids
from carehub.core.choices import Role

PAGE_SIZE = 50


def _only_sealed(request: HttpRequest) -> bool:
    """The independent service's auditor has no hub trail: her link to the audit pages leads to the sealed one."""
    return not policy.can_audit_hub_trail(request.user) and policy.can_audit_sealed_trail(request.user)


def _events(request: HttpRequest, *, sealed: bool) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Never fall back to the whole trail: an auditor would take it for the answer to the search she typed.
        found = selectors.events_visible_to(request.user, sealed=sealed).none()
    else:
        found = selectors.search(user=request.user, sealed=sealed, **(form.cleaned_data if form.is_bound else {}))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/events.html", {"form": form, "page": page, "sealed": sealed})


def _survivor_access(request: HttpRequest, public_id: str, *, sealed: bool) -> HttpResponse:
    """Everyone who has read or changed one survivor's records, newest first. A survivor who does not exist, or whose
    events are in the other chain, shows an empty page alike."""
    found = selectors.survivor_access(user=request.user, public_id=public_id, sealed=sealed)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = public_ids.display(public_ids.normalise(public_id))
    return render(request, "audit/survivor_access.html", {"survivor": shown, "page": page, "sealed": sealed})


@policy.route(Role.AUDITOR, check=policy.can_audit)
def events(request: HttpRequest) -> HttpResponse:
    if _only_sealed(request):
        query = request.GET.urlencode()
        return redirect(reverse("audit:sealed_events") + (f"?{query}" if query else ""))
    return _events(request, sealed=False)


@policy.route(Role.AUDITOR, check=policy.can_audit)
def survivor_access(request: HttpRequest, public_id: str) -> HttpResponse:
    if _only_sealed(request):
        return redirect("audit:sealed_survivor_access", public_id=public_id)
    return _survivor_access(request, public_id, sealed=False)


@policy.route(Role.AUDITOR, check=policy.can_audit_sealed_trail)
def sealed_events(request: HttpRequest) -> HttpResponse:
    return _events(request, sealed=True)


@policy.route(Role.AUDITOR, check=policy.can_audit_sealed_trail)
def sealed_survivor_access(request: HttpRequest, public_id: str) -> HttpResponse:
    return _survivor_access(request, public_id, sealed=True)
