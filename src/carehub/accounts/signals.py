"""Sign-in events enter the audit trail. A failed attempt never records the password.

Nor does it record a username that matches no account: people type their password into the username box, and the
audit trail is append-only, so a password written there could never be removed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from carehub.audit import services as audit
from carehub.audit.models import Action, EventType


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, action=Action.SIGN_IN, object_type="user", object_id=user.pk, event=EventType.SIGNED_IN)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(
            actor=user, action=Action.SIGN_OUT, object_type="user", object_id=user.pk, event=EventType.SIGNED_OUT
        )


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    changes: dict = {"username": username} if user else {"username": "(no such account)"}
    # django-axes handles this signal first (its app is installed earlier) and marks a request it locked out.
    changes["locked_out"] = bool(getattr(request, "axes_locked_out", False))
    audit.record(
        actor=None,
        action=Action.SIGN_IN_FAILED,
        object_type="user",
        object_id=user.pk if user else "",
        changes=changes,
        sealed=user is not None and audit.belongs_to_sealed_chain(user),
        event=EventType.SIGN_IN_FAILED,
    )
