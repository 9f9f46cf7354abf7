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
