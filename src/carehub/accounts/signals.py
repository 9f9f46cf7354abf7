"""Sign-in events enter the audit trail. A failed attempt records the username tried, never the password."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from carehub.audit import services as audit
from carehub.audit.models import Action


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, action=Action.SIGN_IN, object_type="user", object_id=user.pk)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(actor=user, action=Action.SIGN_OUT, object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record(actor=None, action=Action.SIGN_IN_FAILED, object_type="user", changes={"username": username})
