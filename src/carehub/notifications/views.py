from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from carehub.accounts import policy
from carehub.notifications import selectors, services

PAGE_SIZE = 50


@policy.route()
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "email": selectors.wants_email(request.user), "has_email": bool(request.user.email)},
    )


@require_POST
@policy.route()
def notification_open(request: HttpRequest, public_id: str) -> HttpResponse:
    """Marks it read, then follows its link; the record's own page decides whether she may open it."""
    notification = selectors.get_notification_for_user(request.user, public_id)
    services.notification_read(user=request.user, notification_id=notification.pk)
    return redirect(notification.link or "notifications:list")


@require_POST
@policy.route()
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_all_read(user=request.user)
    return redirect("notifications:list")


@require_POST
@policy.route()
def preference(request: HttpRequest) -> HttpResponse:
    services.preference_set(user=request.user, email=request.POST.get("email") == "yes")
    return redirect("notifications:list")
