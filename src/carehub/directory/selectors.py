from __future__ import annotations

from django.db.models import QuerySet

from carehub.accounts import policy
from carehub.core.choices import ServiceType
from carehub.directory.models import Service


def service_list(*, user, service_type: str = "") -> QuerySet[Service]:
    services = policy.services_visible_to(user)
    if service_type in ServiceType.values:
        services = services.filter(service_type=service_type)
    return services.order_by("name")


def service_by_id(pk: int) -> Service | None:
    """A service the hub chose from routing's ranking (or named outside it): the directory is not personal data,
    and the hub may offer a referral to any service, so this is not scoped to the user."""
    return Service.objects.filter(pk=pk).first()
