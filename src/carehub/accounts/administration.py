"""The administrator's pages: organisations, their members and roles. Never case content."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from carehub.accounts import policy
from carehub.accounts.breakglass import BreakGlassRefused, break_glass_open
from carehub.accounts.models import Membership, Organisation, Role
from carehub.audit import services as audit
from carehub.audit.models import Action, EventType


@policy.route(Role.ADMINISTRATOR)
def organisations(request: HttpRequest) -> HttpResponse:
    orgs = Organisation.objects.annotate(
        member_count=Count("memberships", distinct=True), service_count=Count("services", distinct=True)
    ).order_by("kind", "name")
    return render(request, "accounts/administration/organisations.html", {"organisations": orgs})


@policy.route(Role.ADMINISTRATOR)
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    members = Membership.objects.select_related("user").order_by("user__username")
    org = (
        Organisation.objects.prefetch_related(Prefetch("memberships", queryset=members), "services")
        .filter(slug=slug)
        .first()
    )
    if org is None:
        raise Http404
    return render(request, "accounts/administration/organisation.html", {"organisation": org})


@require_POST
@policy.route(Role.ADMINISTRATOR)
def membership_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Suspend or restore a membership: the quickest way to cut off a member who may be a risk."""
    membership = Membership.objects.select_related("organisation").filter(pk=pk).first()
    if membership is None:
        raise Http404
    with transaction.atomic():
        membership.is_active = not membership.is_active
        membership.save(update_fields=["is_active"])
        audit.record(
            actor=request.user,
            action=Action.UPDATE,
            object_type="membership",
            object_id=membership.pk,
            changes={"is_active": membership.is_active, "organisation": membership.organisation.slug},
            event=EventType.MEMBERSHIP_CHANGED,
        )
    return redirect("administration:organisation", slug=membership.organisation.slug)


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label="Referral reference", max_length=20, help_text="For example, CH-BCDF-2345")
    reason = forms.CharField(
        label="Why do you need to open this record?",
        widget=forms.Textarea,
        max_length=2000,
        help_text="This is recorded in the audit trail and shown to the service that holds the record.",
    )


@policy.route(Role.ADMINISTRATOR)
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
