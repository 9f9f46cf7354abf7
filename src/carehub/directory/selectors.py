from __future__ import annotations

from django.db.models import QuerySet

from carehub.accounts import policy
from carehub.accounts.models import Organisation
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


def services_for_administration(*, user) -> QuerySet[Service]:
    return policy.services_administered_by(user).select_related("organisation").order_by("organisation__name", "name")


def service_for_administration(*, user, pk: int) -> Service | None:
    return services_for_administration(user=user).filter(pk=pk).first()


def organisations_providing_services(*, user):
    """Organisations an administrator may add a service to: only those that provide services."""
    return policy.organisations_administered_by(user).filter(
        kind__in=[Organisation.Kind.SPECIALIST, Organisation.Kind.BY_AND_FOR, Organisation.Kind.INDEPENDENT_ADVISORY]
    )


def services_managed(*, user) -> QuerySet[Service]:
    """The services whose capacity the user manages, for her home page."""
    return policy.services_managed_by(user).select_related("organisation").order_by("name")


def service_managed(*, user, pk: int) -> Service | None:
    return services_managed(user=user).filter(pk=pk).first()
