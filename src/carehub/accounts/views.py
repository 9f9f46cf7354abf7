"""Sign-in and sign-out. Lock-out is django-axes; the second factor is django-otp (otp_views.py)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from carehub.accounts import policy
from carehub.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


login = policy.route(public=True)(SignInView.as_view())
logout = policy.route(public=True)(auth_views.LogoutView.as_view())
