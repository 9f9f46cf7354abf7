"""Sign-in and sign-out. Lock-out is django-axes; the second factor is django-otp (otp_views.py)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest

from carehub.accounts import policy
from carehub.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    """Django's sign-in view with our form; django-axes answers instead once the attempts run out."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


login = policy.route(public=True)(SignInView.as_view())
logout = policy.route(public=True)(auth_views.LogoutView.as_view())


def lockout_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The name django-axes counts failures under (AXES_USERNAME_CALLABLE): a keyed hash of what was typed.

    People type their password into the username box. Axes keeps what was typed in its attempts table, so it is
    given a hash: the same text still counts towards the same lock, but nobody can read it back.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    if not typed:
        return None
    digest = hmac.new(settings.HASH_KEY.encode(), b"sign-in-attempt:" + str(typed).encode(), hashlib.sha256)
    return digest.hexdigest()
