"""Sign-in lock-out: django-axes locks a username and address pair; this adds a wider limit on the address alone.

The pair lock (AXES_LOCKOUT_PARAMETERS) lets nobody lock a worker out from an address other than his own, but on its
own it would let one address try five passwords against every username in turn. So an address that has failed
CAREHUB_LOCKOUT_ADDRESS_FAILURES times within the cool-off period, whatever the usernames, is locked out too. The
limit is higher than the pair's because a whole office may sign in from behind one address.

The address is the real client's (AXES_CLIENT_IP_CALLABLE is core.addresses.client_address), not the proxy's.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address within the cool-off period, across every username tried."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_locked(request: HttpRequest) -> bool:
    return address_failures(request) >= settings.LOCKOUT_ADDRESS_FAILURES


class PairAndAddressLockout(AxesDatabaseHandler):
    """AXES_HANDLER: axes' own database handler, with the address-wide limit beside its per-pair one."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # Axes decides the lock on the pair's count alone; the failure that exhausts the address locks it as well,
        # so that the answer is the lock-out page at once, as it is for the pair.
        if request is not None and not getattr(request, "axes_locked_out", False) and address_locked(request):
            request.axes_locked_out = True
