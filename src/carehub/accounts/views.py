"""Sign-in and sign-out. Lock-out is django-axes; the second factor is django-otp (otp_views.py)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carehub.accounts import policy, selectors, services
from carehub.accounts.forms import ChoosePasswordForm, SignInForm


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


# --- invitations: a new user chooses her password, then sets up her second factor ---------------------------------

# The invitation's token hash, kept in the session once the link is opened: the address bar, the history, any
# Referer and every access log line after the first then show /accounts/invitation/set-password/, never the secret
# itself (as Django's password reset does); the first line is redacted (core.logging). The session keeps the hash,
# not the token, since sessions live in the database: no table ever holds the link in clear.
INVITATION_SESSION_KEY = "carehub_invitation"


def _invitation_invalid(request: HttpRequest) -> HttpResponse:
    """One page for a spent, expired, revoked or made-up link alike: none of them says whether the account exists."""
    return render(request, "accounts/invitation_invalid.html", status=404)


@policy.route(public=True)
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    if selectors.invitation_for_token(token) is None:
        return _invitation_invalid(request)
    if request.user.is_authenticated:
        auth.logout(request)  # someone else's session on this computer must not carry on beside the new account
    request.session[INVITATION_SESSION_KEY] = services.invitation_token_hash(token)
    return redirect("accounts:invitation_password")


@policy.route(public=True)
def invitation_password(request: HttpRequest) -> HttpResponse:
    found = selectors.invitation_for_token_hash(request.session.get(INVITATION_SESSION_KEY, ""))
    if found is None:
        return _invitation_invalid(request)
    form = ChoosePasswordForm(found.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=found, password=form.cleaned_data["new_password1"])
        except ValidationError:
            return _invitation_invalid(request)
        request.session.pop(INVITATION_SESSION_KEY, None)
        auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Your password is set. Now set up your authenticator app.")
        return redirect("accounts:otp_setup")
    context = {"form": form, "username": found.user.username}
    return render(request, "accounts/invitation_password.html", context, status=400 if form.errors else 200)


# --- four eyes: a manager of the independent service confirms or refuses a role an administrator gave there --------


@policy.route(check=policy.decides_memberships)
def membership_decision(request: HttpRequest, pk: int) -> HttpResponse:
    """One pending role, with Confirm and Refuse. 404 for a role she may not decide (her own request, her own role,
    another service's, or one already decided), as for one that does not exist."""
    membership = selectors.membership_awaiting_decision(user=request.user, pk=pk)
    if membership is None:
        raise Http404
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision in {"confirm", "refuse"}:
            try:
                services.membership_decide(
                    actor=request.user,
                    membership=membership,
                    role=request.POST.get("role", ""),
                    confirm=decision == "confirm",
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                done = "confirmed" if decision == "confirm" else "refused"
                messages.success(request, f"The role of {membership.user.username} has been {done}.")
                return redirect("home")
    return render(request, "accounts/membership_decision.html", {"membership": membership})
