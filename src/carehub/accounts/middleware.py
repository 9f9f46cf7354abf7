"""Request-wide safety: second factor for staff, a limit on a session's whole life, and no caching of anything
Care Hub serves."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from carehub.accounts.otp_views import NEXT_SESSION_KEY

# Pages a signed-in user must reach before the second factor is verified.
_OTP_EXEMPT_URL_NAMES = {"accounts:otp_verify", "accounts:otp_setup", "accounts:logout"}


class SecondFactorRequiredMiddleware:
    """When OTP_REQUIRED, a signed-in user without a verified second factor reaches only public pages and the OTP
    pages; everything else sends her to enter her code (or to set up her app, if she has none yet)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _needs_second_factor(request) and not _reachable_unverified(request.path_info):
            if request.method == "GET":
                request.session[NEXT_SESSION_KEY] = request.get_full_path()
            return redirect("accounts:otp_verify")
        return self.get_response(request)


# When the session's user signed in, in seconds since the epoch.
SIGNED_IN_AT_SESSION_KEY = "carehub_signed_in_at"


class SessionLifetimeMiddleware:
    """Signs out a session older than CAREHUB_SESSION_MAX_HOURS, however busy it has been.

    The idle timeout alone lets a session that is used every few minutes live for ever: on a shared office computer,
    or in a stolen cookie, that is a standing door into survivors' records. The sign-in time is kept in the session
    (stored when the first response after signing in goes out; a session that predates this middleware starts
    counting from its next request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request):
            signed_in_at = request.session.get(SIGNED_IN_AT_SESSION_KEY)
            if signed_in_at is not None and time.time() - signed_in_at > settings.SESSION_MAX_SECONDS:
                # The request goes on as anonymous: a staff page sends her to sign in, a public one just shows.
                logout(request)
        response = self.get_response(request)
        if _signed_in(request) and SIGNED_IN_AT_SESSION_KEY not in request.session:
            request.session[SIGNED_IN_AT_SESSION_KEY] = time.time()
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _needs_second_factor(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(settings.OTP_REQUIRED and user is not None and user.is_authenticated and not user.is_verified())


def _reachable_unverified(path: str) -> bool:
    """The OTP pages, sign-out and public pages (which show nothing a password alone should unlock).

    An unknown path passes through to its 404, which says nothing either.
    """
    try:
        match = resolve(path)
    except Resolver404:
        return True
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    public = getattr(getattr(match.func, "access_rule", None), "public", False)
    return name in _OTP_EXEMPT_URL_NAMES or public


class NoStoreMiddleware:
    """Nothing Care Hub serves may sit in a shared computer's browser cache or history snapshot."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response
